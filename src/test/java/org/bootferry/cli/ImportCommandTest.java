package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bootferry import}: the plain machine files of VM specs say what the specs say (a config
 * of the written files is the config of the specs themselves), and {@code validate} and
 * {@code explain} read a spec under {@code machines/} as it is.
 */
class ImportCommandTest {

    private static final Path SPECS = Path.of("src/test/resources/vmspecs");

    @TempDir
    Path tmp;
    ConfigDir imported;
    ConfigDir asSpecs;

    @BeforeEach
    void configs() throws IOException {
        imported = new ConfigDir(tmp.resolve("imported"));
        imported.file("server.yaml", "advertise: 127.0.0.1");
        asSpecs = new ConfigDir(tmp.resolve("specs"));
        asSpecs.file("server.yaml", "advertise: 127.0.0.1");
        for (String spec : new String[] {"own-kubevirt-kernelboot-nocloud.yaml", "own-virtink-bridge.yaml",
            "own-multi-document.yaml"}) {
            Files.copy(SPECS.resolve(spec), Files.createDirectories(asSpecs.dir().resolve("machines")).resolve(spec));
        }
    }

    @Test
    void theWrittenMachineFilesAreTheSpecsMachines() {
        Commands.Run r = Commands.bootferry("import", "--config", imported.dir().toString(),
                SPECS.resolve("own-kubevirt-kernelboot-nocloud.yaml").toString(),
                SPECS.resolve("own-virtink-bridge.yaml").toString(), SPECS.resolve("own-multi-document.yaml").toString());

        assertThat(r.exit()).as(r.err()).isZero();
        Path machines = imported.dir().resolve("machines");
        assertThat(r.out()).contains(SPECS.resolve("own-multi-document.yaml") + ": wrote "
                + machines.resolve("52-54-00-4b-01-02.yaml") + "\n");
        assertThat(r.err()).isEqualTo("warning: " + SPECS.resolve("own-multi-document.yaml")
                + ":48: k8s.cni.cncf.io/v1 NetworkAttachmentDefinition is no VM spec: left out\n");
        ConfigSnapshot fromFiles = ConfigLoader.load(imported.dir());
        ConfigSnapshot fromSpecs = ConfigLoader.load(asSpecs.dir());
        assertThat(fromFiles.errors()).isEmpty();
        assertThat(fromFiles.machines().keySet()).isEqualTo(fromSpecs.machines().keySet()).hasSize(4);
        for (MacAddress mac : fromSpecs.machines().keySet()) {
            MachineConfig file = fromFiles.machines().get(mac).config();
            assertThat(file).as(mac.toString()).isEqualTo(fromSpecs.machines().get(mac).config());
        }
    }

    @Test
    void aSpecWithAnErrorOrAMachineWithAFileWritesNothing() {
        imported.file("machines/52-54-00-4b-01-02.yaml", "hostname: kept");

        Commands.Run r = Commands.bootferry("import", "--config", imported.dir().toString(),
                SPECS.resolve("kubevirt-kernelboot.yaml").toString(), SPECS.resolve("own-multi-document.yaml").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("bootferry: " + SPECS.resolve("kubevirt-kernelboot.yaml")
                + ":5: VirtualMachine ext-kernel-boot-vm: no interface on a bridge or a Multus network to boot from")
                .contains("bootferry: " + imported.dir().resolve("machines/52-54-00-4b-01-02.yaml")
                        + " exists: 52:54:00:4b:01:02 has a machine file already (nothing written)");
        assertThat(imported.dir().resolve("machines")).isDirectoryNotContaining("glob:**52-54-00-4b-01-01.yaml");
    }

    /** The README's section shows a spec used as it is and what validate and explain say of it: they say that. */
    @Test
    void theReadmesVmSpecValidatesAndExplainsAsItShows() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## KubeVirt and Virtink VM specs"));
        int yaml = section.indexOf("```yaml\n") + 8;
        ConfigDir config = new ConfigDir(tmp.resolve("readme"));
        config.file("server.yaml", "advertise: 192.0.2.10");
        config.file("machines/node-07.yaml", section.substring(yaml, section.indexOf("```\n", yaml)));
        String dir = config.dir().toString();

        Commands.Run explain = Commands.bootferry("explain", "52:54:00:4b:00:07", "--config", dir);

        assertThat(Commands.bootferry("validate", "--config", dir).out()).isEqualTo(dir + ": OK (1 machines, 0 profiles,"
                + " 0 templates)\n");
        assertThat(explain.out().lines().filter(l -> l.startsWith("cmdline ") || l.startsWith("file ")))
                .containsExactlyElementsOf(section.lines().dropWhile(l -> !l.contains("$ bootferry explain")).skip(1)
                        .takeWhile(l -> !l.isBlank()).map(String::strip).toList());
    }

    @Test
    void validateAndExplainReadASpecUnderMachinesAsItIs() {
        String dir = asSpecs.dir().toString();

        Commands.Run validate = Commands.bootferry("validate", "--config", dir);
        Commands.Run explain = Commands.bootferry("explain", "52:54:00:4b:00:07", "--config", dir);

        assertThat(validate.exit()).as(validate.out()).isZero();
        assertThat(validate.out()).startsWith(dir + ": OK (4 machines");
        assertThat(validate.err()).contains("warning: " + asSpecs.dir().resolve("machines/own-multi-document.yaml")
                + ":48: k8s.cni.cncf.io/v1 NetworkAttachmentDefinition is no VM spec: left out\n");
        assertThat(explain.out()).contains("52:54:00:4b:00:07 (node-07) from "
                + asSpecs.dir().resolve("machines/own-kubevirt-kernelboot-nocloud.yaml"))
                .contains("cmdline   console=ttyS0 rd.neednet=1 ip=dhcp ds=nocloud-net;s=http://127.0.0.1:8080/files/"
                        + "52-54-00-4b-00-07/CAPABILITY/\n")
                .contains("file      user-data http://127.0.0.1:8080/files/52-54-00-4b-00-07/CAPABILITY/user-data\n");
    }
}
