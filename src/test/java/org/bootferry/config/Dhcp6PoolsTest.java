package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.lang.Ipv6;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DHCPv6 server mode's {@code dhcp6.pools} and the machines' {@code ip6:}. */
class Dhcp6PoolsTest {

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void kernelOnDisk() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
    }

    private void server(String... poolLines) {
        List<String> lines = new ArrayList<>(List.of("dhcp6:", "  mode: server", "  interfaces: [br0, br1]", "  pools:"));
        lines.addAll(List.of(poolLines));
        config.file("server.yaml", lines.toArray(String[]::new));
    }

    private void machine(String name, String ip6) {
        config.file("machines/" + name + ".yaml", "ip6: " + ip6, "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
    }

    private List<String> errors(ConfigSnapshot snapshot) {
        return ConfigDir.errors(snapshot, Reservations::check);
    }

    @Test
    void aPoolIsReadWithItsDefaults() {
        server("    - interface: br0", "      prefix: fd42::/64", "      range: fd42::100-fd42::1ff",
                "      dns: [fd42::1]", "      search: [lab]");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(errors(snapshot)).isEmpty();
        assertThat(snapshot.settings().dhcp6().mode()).isEqualTo(ServerSettings.Dhcp6.Mode.SERVER);
        assertThat(snapshot.settings().dhcp6().pools()).containsExactly(new ServerSettings.Pool6(Optional.of("br0"),
                Ipv6.Network.parse("fd42::/64").orElseThrow(), Ipv6.parse("fd42::100").orElseThrow(),
                Ipv6.parse("fd42::1ff").orElseThrow(), Duration.ofHours(1), Duration.ofHours(2),
                List.of(Ipv6.parse("fd42::1").orElseThrow()), List.of("lab"), false));
    }

    @Test
    void eachBadPoolValueIsNamedOnItsLine() {
        server("    - interface: eth9", "      prefix: fd42::1/64", "      range: fd42::100-fd42::1ff",
                "      preferredLifetime: 3h", "      validLifetime: 5s", "      dns: [10.0.0.1]",
                "      search: ['bad name']");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:5: dhcp6.pools[0].interface: eth9 is not in dhcp6.interfaces [br0, br1] (the links"
                        + " listened on)",
                "server.yaml:6: dhcp6.pools[0].prefix: 'fd42::1/64' is not an IPv6 prefix (write e.g. fd42::/64,"
                        + " host bits zero)",
                "server.yaml:9: dhcp6.pools[0].validLifetime: '5s' is not a lifetime of 10s to 136y (write e.g. 1h,"
                        + " 30m, 7d or a number of seconds)",
                "server.yaml:10: dhcp6.pools[0].dns: '10.0.0.1' is not an IPv6 address",
                "server.yaml:11: dhcp6.pools[0].search: 'bad name' is not a domain name");
        server("    - interface: br1", "      prefix: fd43::/64", "      range: fd44::1-fd44::9",
                "      preferredLifetime: 3h", "      validLifetime: 2h");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:7: dhcp6.pools[0].range fd44::1-fd44::9 is not inside fd43::/64",
                "server.yaml:8: dhcp6.pools[0].preferredLifetime 10800s is longer than validLifetime 7200s (RFC 8415"
                        + " §21.6: clients discard such an address)");
        server("    - interface: br1", "      prefix: fd43::/64", "      range: fd43::9-fd43::1");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:7: dhcp6.pools[0].range: 'fd43::9-fd43::1' is not FIRST-LAST (write e.g."
                        + " fd42::100-fd42::1ff)");
        server("    - interface: br1", "      prefix: fd43::/64", "      range: fd43::1-fd43::9",
                "    - interface: br1", "      prefix: fd43::/64", "      range: fd43::11-fd43::19");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:5: dhcp6.pools[1]: interface br1 has a pool already (one pool an interface)");
    }

    @Test
    void aPoolWithoutAnInterfaceServesARelayedLinkWhosePrefixOverlapsNoOtherPool() {
        server("    - interface: br0", "      prefix: fd42::/64", "      range: fd42::100-fd42::1ff",
                "    - prefix: fd43::/64", "      range: fd43::100-fd43::1ff",
                "    - prefix: fd44::/64", "      range: fd44::100-fd44::1ff");
        machine("52-54-00-12-34-56", "fd43::21");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(errors(snapshot)).isEmpty();
        assertThat(snapshot.settings().dhcp6().pools()).extracting(ServerSettings.Pool6::iface)
                .containsExactly(Optional.of("br0"), Optional.empty(), Optional.empty());

        server("    - interface: br0", "      prefix: fd42::/64", "      range: fd42::100-fd42::1ff",
                "    - prefix: fd42::/48", "      range: fd42::100-fd42::1ff",
                "    - interface: br1", "      prefix: fd43::/64", "      range: fd43::100-fd43::1ff");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:6: dhcp6.pools[1].prefix fd42::/48 overlaps fd42::/64 of an earlier pool: a relay"
                        + " agent's link-address would name both");
    }

    @Test
    void poolsBelongToServerModeAndServerModeNeedsThem() {
        config.file("server.yaml", "dhcp6:", "  mode: boot-only", "  pools:", "    - interface: br0");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:3: dhcp6.pools: only server mode hands out addresses (add 'mode: server')");
        config.file("server.yaml", "dhcp6:", "  mode: server", "  interfaces: [br0]");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:2: dhcp6.mode server needs 'pools:', the addresses to hand out");
    }

    @Test
    void anIp6IsInAPoolsPrefixAndReservedOnce() {
        server("    - interface: br0", "      prefix: fd42::/64", "      range: fd42::100-fd42::1ff");
        machine("52-54-00-12-34-56", "fd42::21");
        machine("52-54-00-12-34-57", "fd42::21");
        machine("52-54-00-12-34-58", "fd43::21");
        machine("52-54-00-12-34-59", "'fd42::'");
        machine("52-54-00-12-34-5a", "10.0.0.1");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactlyInAnyOrder(
                "52-54-00-12-34-5a.yaml:1: ip6: '10.0.0.1' is not an IPv6 address (write e.g. fd42::21)",
                "52-54-00-12-34-58.yaml:1: ip6: fd43::21 is in no DHCPv6 pool's prefix ([fd42::/64])",
                "52-54-00-12-34-59.yaml:1: ip6: fd42:: is the subnet-router anycast address of fd42::/64 (RFC 4291"
                        + " §2.6.1), not a host's",
                "52-54-00-12-34-56.yaml:1: ip6: fd42::21 is reserved in [52-54-00-12-34-57.yaml] too: one address,"
                        + " one machine",
                "52-54-00-12-34-57.yaml:1: ip6: fd42::21 is reserved in [52-54-00-12-34-56.yaml] too: one address,"
                        + " one machine");
    }

    @Test
    void anIp6OutsideServerModeOrInASharedFileIsAnError() {
        machine("52-54-00-12-34-56", "fd42::21");
        config.file("machines/default.yaml", "ip6: fd42::22", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        config.file("profiles/p.yaml", "ip6: fd42::23");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactlyInAnyOrder(
                "default.yaml:1: ip6: default.yaml answers every unknown machine, which can't share one address;"
                        + " reserve it in the machine's own file",
                "p.yaml:1: ip6: a profile is shared by many machines, which can't share one address; reserve it in"
                        + " each machine's own file",
                "52-54-00-12-34-56.yaml:1: ip6: only DHCPv6 server mode hands out addresses; server.yaml has dhcp6"
                        + " mode off");
    }
}
