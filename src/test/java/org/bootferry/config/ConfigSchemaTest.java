package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.image.PullPolicy;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigSchemas;
import org.bootferry.testing.ConfigSchemas.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/schema/ and docs/config.md against the loader, so neither drifts from it: the schemas know
 * exactly the keys the loader binds (the ones its "unknown key" errors list), their defaults are
 * the loader's, the keys they say wait for a restart are {@link RestartKeys}', every key is in
 * config.md, and every shipped config file and every example in config.md is valid.
 */
class ConfigSchemaTest {

    private static final Path SHIPPED = Path.of("config");
    private static final Path CONFIG_MD = Path.of("docs/config.md");
    private static final String RESTART = "Takes effect at the next restart.";
    private static final Pattern MODELINE = Pattern.compile("# yaml-language-server: \\$schema=(\\S+)");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachSchemaIsADraft2020_12Schema(Kind kind) {
        assertThat(ConfigSchemas.metaSchemaErrors(kind)).isEmpty();
        assertThat(ConfigSchemas.tree(kind).path("$schema").asText())
                .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    /**
     * yaml-language-server validates with draft 7's rules (it says "Draft 2020-12 schemas are not yet
     * fully supported"): keywords that mean the same in draft 7 and 2020-12 only, so that editors
     * check what this suite checks. No {@code $ref}: draft 7 ignores the keywords beside one.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachSchemaUsesOnlyKeywordsDraft7EditorsShare(Kind kind) {
        Set<String> used = new TreeSet<>();
        keywords(ConfigSchemas.tree(kind), used);
        assertThat(used).isSubsetOf("$schema", "title", "description", "type", "properties", "additionalProperties",
                "propertyNames", "required", "not", "oneOf", "items", "enum", "pattern", "minimum", "maximum",
                "minLength", "default", "examples");
    }

    /** The keywords of a schema and its subschemas (not of the values of default and examples). */
    private static void keywords(JsonNode schema, Set<String> used) {
        schema.properties().forEach(e -> {
            used.add(e.getKey());
            switch (e.getKey()) {
                case "properties" -> e.getValue().properties().forEach(p -> keywords(p.getValue(), used));
                case "additionalProperties", "propertyNames", "not", "items" -> {
                    if (e.getValue().isObject()) {
                        keywords(e.getValue(), used);
                    }
                }
                case "oneOf" -> e.getValue().forEach(s -> keywords(s, used));
                default -> { }
            }
        });
    }

    /** Every bootferry file under config/, with the schema of its kind. */
    static Stream<ShippedFile> shippedFiles() throws IOException {
        List<ShippedFile> files = new ArrayList<>();
        files.add(new ShippedFile(SHIPPED.resolve("server.yaml"), Kind.SERVER));
        for (String dir : List.of("machines", "profiles", "examples")) {
            try (Stream<Path> listed = Files.list(SHIPPED.resolve(dir))) {
                for (Path file : listed.filter(MachineChecks::isYaml).sorted().toList()) {
                    if (dir.equals("examples") && !MacAddress.isMac(MachineChecks.baseName(file))
                            && !MachineChecks.baseName(file).startsWith(MachineChecks.DEFAULT_MACHINE + "-")) {
                        // Not a bootferry file: a Kubernetes manifest to boot from it.
                        assertThat(Files.readString(file)).as(file.toString()).contains("apiVersion: kubevirt.io/v1");
                        continue;
                    }
                    files.add(new ShippedFile(file, Kind.MACHINE));
                }
            }
        }
        return files.stream();
    }

    record ShippedFile(Path file, Kind kind) {
        @Override
        public String toString() {
            return file.toString();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedFiles")
    void everyShippedConfigFileIsValidAndNamesItsSchema(ShippedFile shipped) throws IOException {
        String text = Files.readString(shipped.file());
        assertThat(ConfigSchemas.errors(shipped.kind(), text)).isEmpty();
        Matcher modeline = MODELINE.matcher(text.lines().findFirst().orElse(""));
        assertThat(modeline.matches()).as("first line of %s is the yaml-language-server modeline", shipped.file()).isTrue();
        assertThat(shipped.file().getParent().resolve(modeline.group(1)).normalize())
                .isEqualTo(shipped.kind().file().normalize());
    }

    @Test
    void theExamplesInConfigMdAreValid() throws IOException {
        Matcher block = Pattern.compile("```yaml\n(" + MODELINE.pattern() + "\n.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(CONFIG_MD));
        int examples = 0;
        while (block.find()) {
            Path schema = CONFIG_MD.getParent().resolve(block.group(2)).normalize();
            Kind kind = Arrays.stream(Kind.values()).filter(k -> k.file().normalize().equals(schema)).findFirst()
                    .orElseThrow(() -> new AssertionError("config.md names no schema of docs/schema: " + schema));
            assertThat(ConfigSchemas.errors(kind, block.group(1))).as(block.group(1)).isEmpty();
            if (kind == Kind.SERVER) {
                // A server.yaml needs no other file: the loader takes it as it stands.
                Path dir = Files.createDirectories(tmp.resolve("example-" + examples));
                Files.writeString(dir.resolve("server.yaml"), block.group(1));
                ConfigSnapshot snapshot = ConfigLoader.load(dir);
                assertThat(snapshot.errors()).isEmpty();
                assertThat(ConfigCheck.check(snapshot)).isEmpty();
            }
            examples++;
        }
        assertThat(examples).as("yaml examples with a modeline in config.md").isEqualTo(5);
    }

    // --- the keys: the schema's, the loader's and config.md's

    @Test
    void theServerSchemaKnowsExactlyTheKeysTheLoaderBinds() throws Exception {
        assertThat(schemaKeys(ConfigSchemas.tree(Kind.SERVER), "")).isEqualTo(loaderKeys(ServerFile.class, ""));
    }

    @Test
    void theMachineSchemaKnowsExactlyTheKeysTheLoaderBinds() throws Exception {
        assertThat(schemaKeys(ConfigSchemas.tree(Kind.MACHINE), "")).isEqualTo(loaderKeys(MachineConfig.class, ""));
    }

    /**
     * The keys a YAML file may hold for {@code type}, as the loader's binder lists them in its
     * "unknown key" error, with those of nested sections as {@code section.key}.
     */
    private static Set<String> loaderKeys(Class<?> type, String prefix) throws Exception {
        Set<String> keys = new TreeSet<>();
        List<String> known;
        try {
            YamlFiles.MAPPER.readValue("{a-key-no-file-has: 1}", type);
            throw new AssertionError(type + " took a key it does not know");
        } catch (UnrecognizedPropertyException e) {
            known = e.getKnownPropertyIds().stream().map(String::valueOf).toList();
        }
        for (String key : known) {
            keys.add(prefix + key);
            RecordComponent component = Arrays.stream(type.getRecordComponents())
                    .filter(c -> c.getName().equals(key)).findFirst().orElseThrow();
            if (component.getType().isRecord()) {
                keys.addAll(loaderKeys(component.getType(), prefix + key + "."));
            }
        }
        return keys;
    }

    /** The keys of an object schema and its sections; every section with properties takes no others. */
    private static Set<String> schemaKeys(JsonNode schema, String prefix) {
        assertThat(schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean())
                .as("'%s' takes no keys but its own, as the loader", prefix.isEmpty() ? "(top)" : prefix).isTrue();
        Set<String> keys = new TreeSet<>();
        schema.path("properties").properties().forEach(p -> {
            keys.add(prefix + p.getKey());
            if (p.getValue().has("properties")) {
                keys.addAll(schemaKeys(p.getValue(), prefix + p.getKey() + "."));
            }
        });
        return keys;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everySchemaKeyIsInConfigMd(Kind kind) throws IOException {
        String doc = Files.readString(CONFIG_MD);
        // A section is named by its keys: `tftp.maxBlockSize` names tftp.
        assertThat(schemaKeys(ConfigSchemas.tree(kind), "")).as("keys config.md does not name")
                .filteredOn(key -> !doc.contains("`" + key + "`") && !doc.contains("`" + key + "."))
                .isEmpty();
    }

    @Test
    void theKeysThatWaitForARestartAreRestartKeysInTheSchemaAndInConfigMd() throws IOException {
        JsonNode properties = ConfigSchemas.tree(Kind.SERVER).path("properties");
        List<String> saidInSchema = new ArrayList<>();
        properties.properties().forEach(p -> {
            if (p.getValue().path("description").asText().endsWith(RESTART)) {
                saidInSchema.add(p.getKey());
            }
        });
        assertThat(saidInSchema).containsExactlyInAnyOrderElementsOf(RestartKeys.KEYS);

        // config.md's server.yaml table: | `key` | type | default | restart or live | meaning |
        Map<String, String> applies = new LinkedHashMap<>();
        Matcher row = Pattern.compile("^\\| `([a-zA-Z0-9.]+)` \\|[^|]*\\|[^|]*\\| (restart|live) \\|", Pattern.MULTILINE)
                .matcher(Files.readString(CONFIG_MD));
        while (row.find()) {
            applies.put(row.group(1), row.group(2));
        }
        assertThat(applies.keySet()).as("config.md's server.yaml rows")
                .containsExactlyInAnyOrderElementsOf(schemaKeys(ConfigSchemas.tree(Kind.SERVER), "").stream()
                        .filter(k -> !properties.path(k).has("properties") || properties.path(k).path("type").isArray())
                        .toList());
        // A key of a restart section (dhcp.pools) waits for a restart with its section.
        applies.forEach((key, when) -> assertThat(when).as(key)
                .isEqualTo(RestartKeys.KEYS.contains(key.split("\\.")[0]) ? "restart" : "live"));
    }

    // --- values the code decides, which the schema repeats

    @Test
    void aServerYamlOfTheSchemasDefaultsLoadsAsNoServerYaml() throws IOException {
        Path dir = tmp.resolve("config");
        Files.createDirectories(dir);
        ServerSettings none = ConfigLoader.load(dir).settings();
        Map<String, Object> defaults = defaults(ConfigSchemas.tree(Kind.SERVER));
        Files.writeString(dir.resolve("server.yaml"), new YAMLMapper().writeValueAsString(defaults));
        ConfigSnapshot written = ConfigLoader.load(dir);
        assertThat(written.errors()).isEmpty();
        assertThat(written.settings()).isEqualTo(none);
        // The keys left without one have no fixed default: it is derived (advertise, advertise6; tftp.maxSessions
        // from the process's open-file limit and heap) or there is none
        // (no API token, no pools: server mode must name them; no DNS listener unless dhcp.dns names a zone;
        // no HTTPS listener unless https names a port).
        Set<String> withoutDefault = schemaKeys(ConfigSchemas.tree(Kind.SERVER), "");
        withoutDefault.removeIf(key -> leafDefault(defaults, key) || !ConfigSchemas.tree(Kind.SERVER)
                .at("/properties/" + key.replace(".", "/properties/") + "/properties").isMissingNode());
        assertThat(withoutDefault).containsExactly("advertise", "advertise6", "api.token", "dhcp.dns.port", "dhcp.dns.zone",
                "dhcp.pools", "dhcp6.pools", "https.certificate", "https.key", "https.names", "https.port",
                "tftp.maxSessions");
    }

    @SuppressWarnings("unchecked")
    private static boolean leafDefault(Map<String, Object> defaults, String key) {
        String[] path = key.split("\\.");
        Object section = path.length == 1 ? defaults : defaults.get(path[0]);
        return section instanceof Map<?, ?> map && ((Map<String, Object>) map).containsKey(path[path.length - 1]);
    }

    /** The schema's {@code default}s as a server.yaml, sections as maps. */
    private static Map<String, Object> defaults(JsonNode schema) {
        Map<String, Object> values = new LinkedHashMap<>();
        schema.path("properties").properties().forEach(p -> {
            if (p.getValue().has("default")) {
                values.put(p.getKey(), YamlFiles.MAPPER.convertValue(p.getValue().get("default"), Object.class));
            } else if (p.getValue().has("properties")) {
                Map<String, Object> section = defaults(p.getValue());
                if (!section.isEmpty()) {
                    values.put(p.getKey(), section);
                }
            }
        });
        return values;
    }

    @Test
    void theChainloadValuesAreTheSettingsOwn() {
        assertThat(ConfigSchemas.tree(Kind.SERVER).at("/properties/chainload/properties/ipxe/examples"))
                .extracting(JsonNode::asText).containsExactlyElementsOf(Arrays.stream(ServerSettings.Chainload.Ipxe
                        .values()).map(i -> i.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }

    @Test
    void theLoaderFirmwaresArePlannersOwn() {
        assertThat(ConfigSchemas.tree(Kind.SERVER).at("/properties/loaders/propertyNames/enum"))
                .extracting(JsonNode::asText).containsExactlyElementsOf(Firmware.loaderIds());
    }

    @Test
    void thePullPoliciesAreTheImagePackagesOwn() {
        assertThat(ConfigSchemas.tree(Kind.MACHINE).at("/properties/kernelBoot/properties/container/properties"
                + "/imagePullPolicy/enum")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(Arrays.stream(PullPolicy.values()).map(PullPolicy::id).toList());
    }

    @Test
    void anInstallFileNameIsWhatMachineConfigTakes() {
        assertThat(ConfigSchemas.tree(Kind.MACHINE).at("/properties/files/propertyNames/pattern").asText())
                .isEqualTo("^" + MachineConfig.FILE_NAME.pattern() + "$");
    }
}
