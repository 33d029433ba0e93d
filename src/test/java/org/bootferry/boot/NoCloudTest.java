package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine's {@code cloudInitNoCloud} (a VM spec's volume, or a plain machine file's key) as the
 * NoCloud seed under {@code /files/M/}: served as written, and named on the command line unless the
 * machine chooses a datasource itself.
 */
class NoCloudTest {

    private static final MacAddress MAC = MacAddress.parse("52:54:00:4c:00:01");

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void kernel() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.file("server.yaml", "advertise: 192.0.2.9");
    }

    private BootPlanner planner() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    @Test
    void theSeedIsServedAsWrittenWithMetaDataNamingTheHost() {
        config.file("machines/52-54-00-4c-00-01.yaml",
                "hostname: node-01",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: console=ttyS0",
                "cloudInitNoCloud:",
                "  userData: |",
                "    ## template: jinja",
                "    #cloud-config",
                "    runcmd: [echo {{ v1.local_hostname }}]",
                "  networkDataBase64: dmVyc2lvbjogMgo=");
        BootPlanner planner = planner();
        Machine machine = Machine.of(MAC, Firmware.BIOS);

        assertThat(planner.installFile(machine, "user-data"))
                .hasValue("## template: jinja\n#cloud-config\nruncmd: [echo {{ v1.local_hostname }}]\n");
        assertThat(planner.installFile(machine, "meta-data")).hasValue("instance-id: \"node-01\"\nlocal-hostname: \"node-01\"\n");
        assertThat(planner.installFile(machine, "network-config")).hasValue("version: 2\n");
        assertThat(planner.plan(machine).orElseThrow().cmdline())
                .isEqualTo("console=ttyS0 ds=nocloud-net;s=http://192.0.2.9:8080/files/52-54-00-4c-00-01/CAPABILITY/");
        assertThat(planner.explain(MAC).orElseThrow().files()).containsExactly(
                java.util.Map.entry("meta-data", "http://192.0.2.9:8080/files/52-54-00-4c-00-01/CAPABILITY/meta-data"),
                java.util.Map.entry("network-config", "http://192.0.2.9:8080/files/52-54-00-4c-00-01/CAPABILITY/network-config"),
                java.util.Map.entry("user-data", "http://192.0.2.9:8080/files/52-54-00-4c-00-01/CAPABILITY/user-data"));
    }

    @Test
    void aMachineThatChoosesItsDatasourceKeepsItAndWithoutNetworkDataThereIsNoNetworkConfig() {
        config.file("machines/52-54-00-4c-00-01.yaml",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: ds=nocloud;s=http://seed.example.org/x/ console=ttyS0",
                "cloudInitNoCloud: {userDataBase64: I2Nsb3VkLWNvbmZpZwo=}");
        BootPlanner planner = planner();
        Machine machine = Machine.of(MAC, Firmware.BIOS);

        assertThat(planner.plan(machine).orElseThrow().cmdline()).isEqualTo("ds=nocloud;s=http://seed.example.org/x/ console=ttyS0");
        assertThat(planner.installFile(machine, "user-data")).hasValue("#cloud-config\n");
        assertThat(planner.installFile(machine, "meta-data"))
                .hasValue("instance-id: \"52-54-00-4c-00-01\"\nlocal-hostname: \"52-54-00-4c-00-01\"\n");
        assertThat(planner.installFile(machine, "network-config")).isEmpty();
    }

    @Test
    void bothFormsOfOneFileUndecodableOrBinaryBase64AndAClashWithFilesAreErrors() {
        config.file("templates/ud", "#cloud-config");
        config.file("machines/52-54-00-4c-00-01.yaml",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "files: {user-data: ud}",
                "cloudInitNoCloud:",
                "  userData: '#cloud-config'",
                "  userDataBase64: I2Nsb3VkLWNvbmZpZwo=",
                "  networkDataBase64: 'H4sI%%%'");
        config.file("machines/52-54-00-4c-00-02.yaml",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "cloudInitNoCloud: {userDataBase64: H4sIAAAAAAAAA0vLzwcAIWVzjAMAAAA=}");

        List<ConfigError> errors = ConfigLoader.load(config.dir()).errors();

        assertThat(errors).extracting(ConfigDir::inFile).containsExactly(
                "52-54-00-4c-00-01.yaml:6: cloudInitNoCloud: userData and userDataBase64 both set: choose one",
                "52-54-00-4c-00-01.yaml:7: cloudInitNoCloud.networkDataBase64: Illegal base64 character 25",
                "52-54-00-4c-00-01.yaml:3: files: 'user-data' is served from cloudInitNoCloud: keep it in one place",
                "52-54-00-4c-00-02.yaml:3: cloudInitNoCloud.userDataBase64: decodes to bytes that are no UTF-8 text"
                        + " (gzip'd or binary data is not served: write it as text)");
    }
}
