package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dhcp6:} section of server.yaml and the machines' {@code duid:}. */
class Dhcp6SettingsTest {

    /** EDK2's DUID-UUID in the captures (reference/ipv6). */
    private static final String EDK2_DUID = "000478563412bc9af0de0123456789abcdef";

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void kernelOnDisk() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
    }

    private void machine(String mac, String duid) {
        config.file("machines/" + mac + ".yaml", "duid: " + duid, "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
    }

    private List<String> errors(ConfigSnapshot snapshot) {
        return ConfigDir.errors(snapshot, DuidChecks::check);
    }

    @Test
    void dhcp6IsOffUnlessWrittenAndBootOnlyIsRead() throws Exception {
        assertThat(ConfigLoader.load(config.dir()).settings().dhcp6()).isEqualTo(ServerSettings.Dhcp6.OFF);
        config.file("server.yaml", "dhcp6:", "  mode: boot-only", "  interfaces: [br0, br1]", "  port: 10547",
                "  pxePort: 0");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.settings().dhcp6()).isEqualTo(new ServerSettings.Dhcp6(ServerSettings.Dhcp6.Mode.BOOT_ONLY,
                List.of("br0", "br1"), 10547, 0, List.of()));
    }

    @Test
    void eachBadDhcp6KeyIsNamedOnItsLine() {
        config.file("server.yaml", "dhcp6:", "  mode: stateful", "  interfaces: [br0, br0, 'a/b']", "  port: 70000");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:2: dhcp6.mode: 'stateful' is none of boot-only (answer boot clients with boot options"
                        + " beside the site's DHCPv6 server), server (be the network's DHCPv6 server) and off",
                "server.yaml:3: dhcp6.interfaces: br0 is named twice",
                "server.yaml:3: dhcp6.interfaces: 'a/b' is not an interface name (1-15 characters, no '/')",
                "server.yaml:4: dhcp6.port: 70000 is not a port (1-65535, or 0 for any free port)");
    }

    @Test
    void aDuidIsHexOfThreeTo130BytesWithSeparatorsAllowed() {
        machine("52-54-00-12-34-56", "00:04:78:56:34:12:bc:9a:f0:de:01:23:45:67:89:ab:cd:ef");
        machine("52-54-00-12-34-57", "'0001'");
        machine("52-54-00-12-34-58", "not-hex");
        assertThat(errors(ConfigLoader.load(config.dir()))).allSatisfy(e -> assertThat(e).contains("is not a DUID in hex"))
                .hasSize(2);
        assertThat(DuidChecks.normalized("00:04:78:56:34:12:bc:9a:f0:de:01:23:45:67:89:ab:cd:ef")).contains(EDK2_DUID);
    }

    @Test
    void aDuidTwoFilesNameIsAnErrorOnBothAndOneInDefaultOrAProfileIsAnError() {
        machine("52-54-00-12-34-56", EDK2_DUID);
        machine("52-54-00-12-34-57", EDK2_DUID.toUpperCase(java.util.Locale.ROOT));
        config.file("machines/default.yaml", "duid: 0003000152540000ffff", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        config.file("profiles/p.yaml", "duid: 0003000152540000fffe");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactlyInAnyOrder(
                "default.yaml:1: duid: default.yaml answers every unknown machine; name the DUID in the machine's own file",
                "p.yaml:1: duid: a profile is shared by many machines; name the DUID in the machine's own file",
                "52-54-00-12-34-56.yaml:1: duid: " + EDK2_DUID + " is named by 52-54-00-12-34-57.yaml too; one DUID"
                        + " names one machine",
                "52-54-00-12-34-57.yaml:1: duid: " + EDK2_DUID + " is named by 52-54-00-12-34-56.yaml too; one DUID"
                        + " names one machine");
    }
}
