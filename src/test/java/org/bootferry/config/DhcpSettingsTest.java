package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bootferry.lang.Ipv4;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dhcp:} section of server.yaml and the machines' {@code ip:} reservations. */
class DhcpSettingsTest {

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void kernelOnDisk() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
    }

    private static final String[] SERVER_MODE = {
        "dhcp:",
        "  mode: server",
        "  pools:",
        "    - interface: br-prov",
        "      range: 10.20.0.100-10.20.0.200",
        "      netmask: 255.255.255.0",
        "      router: 10.20.0.1",
        "      dns: [10.20.0.1]",
        "      domain: lab",
        "      search: [lab, example.org]",
        "      leaseTime: 1h",
        "      mtu: 9000",
        "      unknownMachines: false",
        "    - subnet: 10.21.0.0/24",
        "      range: 10.21.0.50-10.21.0.60",
        "      leaseTime: 90s",
        "      unknownMachines: true",
    };

    private void machine(String mac, String ip) {
        config.file("machines/" + mac + ".yaml", "hostname: n-" + mac.substring(15), "ip: " + ip,
                "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
    }

    private List<String> errors(ConfigSnapshot snapshot) {
        return ConfigDir.errors(snapshot, Reservations::check);
    }

    @Test
    void booleanDhcpKeepsMeaningProxyOrOff() {
        config.file("server.yaml", "dhcp: true");
        assertThat(ConfigLoader.load(config.dir()).settings().dhcp()).isEqualTo(ServerSettings.Dhcp.PROXY);
        config.file("server.yaml", "dhcp: false");
        assertThat(ConfigLoader.load(config.dir()).settings().dhcp()).isEqualTo(ServerSettings.Dhcp.OFF);
        config.file("server.yaml", "dhcp: {mode: off}");
        assertThat(ConfigLoader.load(config.dir()).settings().dhcp()).isEqualTo(ServerSettings.Dhcp.OFF);
    }

    @Test
    void proxyDhcpSectionIsReadAndEachBadEntryNamedOnItsLine() {
        config.file("server.yaml", "proxyDhcp:", "  maxAnswersPerSecond: 300", "  relaySubnets: [10.21.0.0/24, 10.22.0.0/16]");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.settings().proxyDhcp()).isEqualTo(new ServerSettings.ProxyDhcp(300, List.of(
                Ipv4.Network.parse("10.21.0.0/24").orElseThrow(), Ipv4.Network.parse("10.22.0.0/16").orElseThrow())));

        config.file("server.yaml", "proxyDhcp:", "  maxAnswersPerSecond: 0",
                "  relaySubnets: [10.21.0.5/24, relay.lab, 10.23.0.0/24]");
        snapshot = ConfigLoader.load(config.dir());
        assertThat(errors(snapshot)).containsExactly(
                "server.yaml:3: proxyDhcp.relaySubnets: '10.21.0.5/24' is not an IPv4 network (write e.g. 10.21.0.0/24,"
                        + " host bits zero)",
                "server.yaml:3: proxyDhcp.relaySubnets: 'relay.lab' is not an IPv4 network (write e.g. 10.21.0.0/24,"
                        + " host bits zero)",
                "server.yaml:2: proxyDhcp.maxAnswersPerSecond: 0 is out of range (1-1000000)");
        assertThat(snapshot.settings().proxyDhcp()).as("the default, and the good entry")
                .isEqualTo(new ServerSettings.ProxyDhcp(5000, List.of(Ipv4.Network.parse("10.23.0.0/24").orElseThrow())));
    }

    @Test
    void noDhcpFlagTurnsServerModeOff() {
        config.file("server.yaml", SERVER_MODE);
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir(), Map.of("dhcp", false));
        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.settings().dhcp()).isEqualTo(ServerSettings.Dhcp.OFF);
    }

    @Test
    void serverModePoolsAreReadWithEveryKey() {
        config.file("server.yaml", SERVER_MODE);
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        ServerSettings.Dhcp dhcp = snapshot.settings().dhcp();
        assertThat(dhcp.mode()).isEqualTo(ServerSettings.Dhcp.Mode.SERVER);
        ServerSettings.Pool prov = dhcp.pools().get(0);
        assertThat(prov.iface()).contains("br-prov");
        assertThat(prov.first()).isEqualTo(ip("10.20.0.100"));
        assertThat(prov.last()).isEqualTo(ip("10.20.0.200"));
        assertThat(prov.network()).contains(Ipv4.Network.parse("10.20.0.0/24").orElseThrow());
        assertThat(prov.router()).contains(ip("10.20.0.1"));
        assertThat(prov.dns()).containsExactly(ip("10.20.0.1"));
        assertThat(prov.domain()).contains("lab");
        assertThat(prov.search()).containsExactly("lab", "example.org");
        assertThat(prov.leaseTime()).isEqualTo(Duration.ofHours(1));
        assertThat(prov.mtu()).hasValue(9000);
        assertThat(prov.unknownMachines()).isFalse();
        ServerSettings.Pool relayed = dhcp.pools().get(1);
        assertThat(relayed.iface()).isEmpty();
        assertThat(relayed.network()).contains(Ipv4.Network.parse("10.21.0.0/24").orElseThrow());
        assertThat(relayed.leaseTime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(relayed.unknownMachines()).isTrue();
    }

    @Test
    void badPoolValuesAreReportedOnTheirLines() {
        config.file("server.yaml",
                "dhcp:",
                "  mode: server",
                "  pools:",
                "    - interface: br-prov",
                "      subnet: 10.20.0.0/24",
                "      range: 10.20.0.100-10.20.0.200",
                "    - subnet: 10.21.0.0/24",
                "      range: 10.21.0.200-10.21.0.100",
                "    - subnet: 10.22.0.0/24",
                "      range: 10.22.0.10-10.22.0.20",
                "      router: 10.99.0.1",
                "      leaseTime: forever",
                "      mtu: 20",
                "      search: ['bad name']");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "server.yaml:4: dhcp.pools[0]: name either 'interface' (clients on a link of this host) or 'subnet'"
                        + " (clients behind a relay agent), not both",
                "server.yaml:6: dhcp.pools[1].range: '10.21.0.200-10.21.0.100' is not FIRST-LAST (write e.g."
                        + " 10.20.0.100-10.20.0.200)",
                "server.yaml:11: dhcp.pools[2].router 10.99.0.1 is not in 10.22.0.0/24: clients could not reach it",
                "server.yaml:14: dhcp.pools[2].search: 'bad name' is not a domain name",
                "server.yaml:12: dhcp.pools[2].leaseTime: 'forever' is not a lease time of at least 10s (write e.g."
                        + " 1h, 30m, 12h, 7d or a number of seconds)",
                "server.yaml:13: dhcp.pools[2].mtu: 20 is out of range (68-65535, RFC 2132 §5.1)");
    }

    @Test
    void modeIsOneOfThreeAndPoolsBelongToServerMode() {
        config.file("server.yaml", "dhcp:", "  mode: srever");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly("server.yaml:2: dhcp.mode: 'srever' is none"
                + " of proxy (answer boot clients beside the site's DHCP server), server (be the network's DHCP server)"
                + " and off");
        config.file("server.yaml", "dhcp:", "  pools:", "    - {subnet: 10.21.0.0/24, range: 10.21.0.1-10.21.0.9}");
        assertThat(errors(ConfigLoader.load(config.dir())))
                .containsExactly("server.yaml:2: dhcp.pools: only server mode hands out addresses (add 'mode: server')");
        config.file("server.yaml", "dhcp: {mode: server}");
        assertThat(errors(ConfigLoader.load(config.dir())))
                .containsExactly("server.yaml:1: dhcp.mode server needs 'pools:', the addresses to hand out");
    }

    @Test
    void allowOtherServersIsForInterfacePoolsOnly() {
        config.file("server.yaml", "dhcp:", "  mode: server", "  pools:",
                "    - {interface: br-prov, range: 10.20.0.10-10.20.0.20, allowOtherServers: true}",
                "    - {interface: br-lab, range: 10.30.0.10-10.30.0.20}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.settings().dhcp().pools()).extracting(ServerSettings.Pool::allowOtherServers)
                .containsExactly(true, false);
        config.file("server.yaml", "dhcp:", "  mode: server", "  pools:", "    - subnet: 10.21.0.0/24",
                "      range: 10.21.0.1-10.21.0.9", "      allowOtherServers: true");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly("server.yaml:6: dhcp.pools[0]"
                + ".allowOtherServers: only an interface's link is probed for other DHCP servers; a relayed subnet's are"
                + " the relay agent's to choose");
    }

    @Test
    void theDnsListenerBelongsToServerModeAndNeedsAZone() {
        config.file("server.yaml", String.join("\n", SERVER_MODE) + "\n  dns: {zone: lab}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.settings().dhcp().dns()).contains(new ServerSettings.Dns(53, "lab"));
        config.file("server.yaml", "dhcp:", "  mode: proxy", "  dns: {port: 5353, zone: lab}");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly("server.yaml:3: dhcp.dns: the DNS listener"
                + " answers for the leases and reservations of server mode (add 'mode: server')");
        config.file("server.yaml", String.join("\n", SERVER_MODE) + "\n  dns: {zone: 'bad zone'}");
        assertThat(errors(ConfigLoader.load(config.dir()))).singleElement().asString()
                .endsWith("dhcp.dns.zone: 'bad zone' is not a domain name (write e.g. zone: lab, the domain of the machines' names)");
    }

    @Test
    void unknownPoolKeyIsNamedWithItsLikelySpelling() {
        config.file("server.yaml", "dhcp:", "  mode: server", "  pools:", "    - subnet: 10.21.0.0/24",
                "      range: 10.21.0.1-10.21.0.9", "      leasetime: 1h");
        assertThat(errors(ConfigLoader.load(config.dir())))
                .containsExactly("server.yaml:6: unknown key 'leasetime' in 'dhcp.pools[0]' (did you mean 'leaseTime'?)");
    }

    @Test
    void reservationsMustFallInAPoolNetworkAndNotCollide() {
        config.file("server.yaml", SERVER_MODE);
        machine("52-54-00-00-00-01", "10.20.0.21");
        machine("52-54-00-00-00-02", "10.21.0.7");
        machine("52-54-00-00-00-03", "10.20.0.21");
        machine("52-54-00-00-00-04", "10.30.0.5");
        machine("52-54-00-00-00-05", "10.20.0.1");
        machine("52-54-00-00-00-06", "10.20.0.255");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(errors(snapshot)).containsExactly(
                "52-54-00-00-00-03.yaml:2: ip: 10.20.0.21 is reserved for 52:54:00:00:00:01 already (52-54-00-00-00-01.yaml)",
                "52-54-00-00-00-04.yaml:2: ip: 10.30.0.5 is in no DHCP pool's network ([10.20.0.0/24, 10.21.0.0/24])",
                "52-54-00-00-00-05.yaml:2: ip: 10.20.0.1 is the router of the pool on interface br-prov",
                "52-54-00-00-00-06.yaml:2: ip: 10.20.0.255 is the broadcast address of 10.20.0.0/24, not a host's");
    }

    @Test
    void reservationOutsideServerModeOrInASharedFileIsAnError() {
        machine("52-54-00-00-00-01", "10.20.0.21");
        config.file("machines/default.yaml", "ip: 10.20.0.22", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "default.yaml:1: ip: default.yaml answers every unknown machine, which can't share one address;"
                        + " reserve it in the machine's own file",
                "52-54-00-00-00-01.yaml:2: ip: only DHCP server mode hands out addresses; server.yaml has dhcp mode proxy");
    }

    @Test
    void aReservationThatIsNoAddressIsReported() {
        machine("52-54-00-00-00-01", "10.20.0");
        assertThat(errors(ConfigLoader.load(config.dir())))
                .containsExactly("52-54-00-00-00-01.yaml:2: ip: '10.20.0' is not an IPv4 address (write e.g. 10.20.0.21)");
    }

    @Test
    void interfacePoolWithoutNetmaskUsesTheInterfaceNetwork() {
        config.file("server.yaml", "dhcp:", "  mode: server", "  pools:", "    - interface: br-x",
                "      range: 10.20.0.100-10.20.0.200");
        machine("52-54-00-00-00-01", "10.20.0.21");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(new Reservations(name -> Ipv4.Network.parse("10.20.0.0/24")).errors(snapshot)).isEmpty();
        assertThat(new Reservations(name -> java.util.Optional.empty()).errors(snapshot))
                .extracting(ConfigError::message).containsExactly("ip: 10.20.0.21 is in no pool's network that can be"
                        + " told here: the pool on interface br-x has no netmask and its interface is not on this host"
                        + " (add 'netmask:' to the pool)");
    }

    private static Inet4Address ip(String text) {
        return Ipv4.parse(text).orElseThrow();
    }
}
