package org.bootferry.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bootferry.lang.AtomicFile;

/**
 * {@code bootferry import}: the plain machine files of VM specs, for those who keep machine files
 * rather than specs. Each VM's file is {@code machines/<mac>.yaml} with the {@link MachineConfig} the
 * spec gives ({@link VmSpecs}), written atomically ({@link AtomicFile}) so a running server's reload
 * reads it whole. A spec with an error writes nothing, and no file is overwritten.
 */
public final class VmSpecImport {

    /** Machine files as YAML: only the keys a spec set, multi-line text (user-data) as literal blocks. */
    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** Why a spec file can't be imported: its errors, as validate prints them, or a file in the way. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** What one spec file gave: the machine files written, and what of the spec can't be honoured. */
    public record Imported(List<Path> written, List<ConfigError> warnings) {
    }

    private VmSpecImport() {
    }

    /**
     * Writes the machine file of every VM in {@code spec} into {@code config}'s {@code machines/}.
     *
     * @return the files written, in the spec's order, and the spec's warnings
     * @throws Refused when the spec has an error (nothing is written) or a VM's file exists already
     */
    public static Imported importSpec(Path config, Path spec) throws Refused, IOException {
        String text = Files.readString(spec, StandardCharsets.UTF_8);
        if (!VmSpecs.isSpec(text)) {
            throw new Refused(spec + ": not a VM spec (no apiVersion or kind)");
        }
        VmSpecs.Read read = VmSpecs.read(spec, text);
        if (!read.errors().isEmpty()) {
            throw new Refused(String.join("\n", read.errors().stream().map(ConfigError::toString).toList()));
        }
        List<Path> targets = new ArrayList<>();
        for (VmSpecs.Spec vm : read.specs()) {
            Path target = config.resolve("machines").resolve(vm.mac().dashed() + ".yaml");
            if (Files.exists(target)) {
                throw new Refused(target + " exists: " + vm.mac() + " has a machine file already (nothing written)");
            }
            targets.add(target);
        }
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Files.createDirectories(targets.get(i).getParent());
            AtomicFile.write(targets.get(i), machineFile(spec, read.specs().get(i)).getBytes(StandardCharsets.UTF_8));
            written.add(targets.get(i));
        }
        return new Imported(List.copyOf(written), read.warnings());
    }

    /** The machine file of one VM: where it came from, then its keys. */
    static String machineFile(Path spec, VmSpecs.Spec vm) {
        try {
            return "# " + vm.mac() + ", imported by bootferry from " + spec.getFileName() + " (line " + vm.line() + ")\n"
                    + WRITER.writeValueAsString(vm.config());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a machine config is plain data and always writes", e);
        }
    }
}
