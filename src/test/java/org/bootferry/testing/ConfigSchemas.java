package org.bootferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of {@code docs/schema/}, applied to YAML text the way an editor's YAML language
 * server applies them (draft 2020-12, through networknt's validator), and read as trees for the
 * tests that hold them against the loader.
 */
public final class ConfigSchemas {

    /** One schema file and the config files it describes. */
    public enum Kind {
        SERVER("server.schema.json"),
        /** Machine files, {@code default.yaml} and profiles: one shape. */
        MACHINE("machine.schema.json");

        private final String fileName;

        Kind(String fileName) {
            this.fileName = fileName;
        }

        public Path file() {
            return DIR.resolve(fileName);
        }
    }

    public static final Path DIR = Path.of("docs/schema");

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /** Parsed once per run: the agreement tests validate a hundred files. */
    private static final Map<Path, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private ConfigSchemas() {
    }

    /** What the schema says is wrong with the YAML text, one message per finding (empty: valid). */
    public static List<String> errors(Kind kind, String yaml) {
        return schema(kind.file()).validate(yaml, InputFormat.YAML).stream().map(Object::toString).toList();
    }

    /** What the draft 2020-12 meta-schema says is wrong with a schema file (empty: it is a schema). */
    public static List<String> metaSchemaErrors(Kind kind) {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        return meta.validate(read(kind.file()), InputFormat.JSON).stream().map(Object::toString).toList();
    }

    /** The schema as a tree, to walk its properties. */
    public static JsonNode tree(Kind kind) {
        try {
            return new ObjectMapper().readTree(kind.file().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema schema(Path file) {
        return SCHEMAS.computeIfAbsent(file, f -> {
            try (InputStream in = Files.newInputStream(f)) {
                return REGISTRY.getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
