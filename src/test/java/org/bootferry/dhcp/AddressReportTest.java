package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What explain, the API and {@code bootferry leases} say of server mode's addresses, asked of the same
 * decision the DHCP exchanges go through: every answer here is checked against a real DISCOVER.
 */
class AddressReportTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final MacAddress RESERVED = MacAddress.parse("52:54:00:00:00:21");
    private static final MacAddress STRANGER = MacAddress.parse("52:54:00:99:99:99");
    private static final Inet4Address SERVER = ip("10.20.0.1");
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path config;
    private AddressPool link;
    private AddressPool relayed;
    private ServerDhcp server;

    private final MemoryHosts hosts = new MemoryHosts();

    @BeforeEach
    void start() {
        hosts.put(VM, new Hosts.Host(Optional.empty(), Optional.of("node-01")));
        hosts.put(RESERVED, new Hosts.Host(Optional.of(ip("10.20.0.21")), Optional.of("node-21")));
        link = new AddressPool(Optional.of("br-prov"), Ipv4.Network.parse("10.20.0.0/24").orElseThrow(),
                ip("10.20.0.100"), ip("10.20.0.101"), Optional.of(SERVER), List.of(), Optional.empty(), List.of(),
                Duration.ofHours(1), OptionalInt.empty(), false);
        relayed = new AddressPool(Optional.empty(), Ipv4.Network.parse("10.21.0.0/24").orElseThrow(),
                ip("10.21.0.50"), ip("10.21.0.60"), Optional.empty(), List.of(), Optional.empty(), List.of(),
                Duration.ofMinutes(10), OptionalInt.empty(), true);
        server = new ServerDhcp(List.of(link, relayed), hosts, BootConfig.planner(config, SERVER.getHostAddress(), VM),
                BootFamilies.NONE, List.of(), 68, 67);
    }

    @Test
    void aMachineIsToldTheAddressADiscoverWouldGetInEachPool() {
        List<Addressing.Choice> choices = server.choices(VM, T0);
        assertThat(choices).containsExactly(
                new Addressing.Choice("interface br-prov", Optional.of(ip("10.20.0.100")),
                        "a free address of the range 10.20.0.100-10.20.0.101"),
                new Addressing.Choice("subnet 10.21.0.0/24", Optional.of(ip("10.21.0.50")),
                        "a free address of the range 10.21.0.50-10.21.0.60"));
        assertThat(offered(VM, T0)).isEqualTo(choices.get(0).address().orElseThrow());
        assertThat(server.choices(VM, T0 + 1).get(0).how()).as("an offer is the client's for a minute")
                .isEqualTo("a free address of the range 10.20.0.100-10.20.0.101");
    }

    @Test
    void aReservationALeaseAndAnUnknownMachineSayWhy() {
        assertThat(server.choices(RESERVED, T0).get(0)).isEqualTo(new Addressing.Choice("interface br-prov",
                Optional.of(ip("10.20.0.21")), "its reservation (ip: in its machine file)"));
        bind(VM, ip("10.20.0.100"), T0);
        assertThat(server.choices(VM, T0 + 1).get(0).how()).isEqualTo("its lease, until 2027-01-15T09:00:00Z");
        assertThat(server.choices(VM, T0 + 4_000_000).get(0).how())
                .isEqualTo("the address it held last (its lease ended 2027-01-15T09:00:00Z)");
        assertThat(server.choices(STRANGER, T0)).containsExactly(
                new Addressing.Choice("interface br-prov", Optional.empty(), "none: it has no machine file (and there"
                        + " is no default.yaml), and this pool gives unknown machines nothing (unknownMachines: false)"),
                new Addressing.Choice("subnet 10.21.0.0/24", Optional.of(ip("10.21.0.50")),
                        "a free address of the range 10.21.0.50-10.21.0.60; an unknown machine: an address, never a boot answer"));
    }

    @Test
    void aFullRangeAndAQuarantinedReservationAreExplained() {
        MacAddress other = MacAddress.parse("52:54:00:00:01:01");
        hosts.put(other, new Hosts.Host(Optional.empty(), Optional.empty()));
        bind(VM, ip("10.20.0.100"), T0);
        bind(other, ip("10.20.0.101"), T0);
        MacAddress third = MacAddress.parse("52:54:00:00:01:02");
        hosts.put(third, new Hosts.Host(Optional.empty(), Optional.empty()));
        assertThat(server.choices(third, T0 + 1).get(0)).isEqualTo(new Addressing.Choice("interface br-prov",
                Optional.empty(), "none: every address of the range 10.20.0.100-10.20.0.101 is leased, offered,"
                        + " quarantined or reserved for another machine"));
        assertThat(server.decide(discover(third), arrival(), T0 + 1)).isInstanceOf(ServerDhcp.Silent.class);

        server.conflict(ip("10.20.0.21"), T0 + 2);
        server.decide(release(other, ip("10.20.0.101")), arrival(), T0 + 3);
        Addressing.Choice meanwhile = server.choices(RESERVED, T0 + 4).get(0);
        assertThat(meanwhile).isEqualTo(new Addressing.Choice("interface br-prov", Optional.of(ip("10.20.0.101")),
                "its reservation 10.20.0.21 is quarantined until 2027-01-15T09:00:00.002Z; meanwhile a free address"
                        + " of the range 10.20.0.100-10.20.0.101"));
        assertThat(offered(RESERVED, T0 + 4)).isEqualTo(ip("10.20.0.101"));
    }

    @Test
    void addressesListLeasesQuarantinesAndReservationsWithTheirNamesInAddressOrder() {
        bind(VM, ip("10.20.0.100"), T0);
        server.conflict(ip("10.20.0.101"), T0);
        List<Addressing.Address> all = server.addresses(T0 + 1);
        assertThat(all).containsExactly(
                new Addressing.Address(ip("10.20.0.21"), Optional.of(RESERVED), Optional.of("node-21"),
                        Addressing.State.RESERVED, 0, true, "interface br-prov"),
                new Addressing.Address(ip("10.20.0.100"), Optional.of(VM), Optional.of("node-01"),
                        Addressing.State.BOUND, T0 + 3_600_000, false, "interface br-prov"),
                new Addressing.Address(ip("10.20.0.101"), Optional.empty(), Optional.empty(),
                        Addressing.State.QUARANTINED, T0 + ServerDhcp.QUARANTINE.toMillis(), false, "interface br-prov"));
        assertThat(server.addresses(T0 + 3_600_001).get(1).state()).isEqualTo(Addressing.State.FREE);
        assertThat(all.get(1).fields()).containsExactly(Map.entry("address", "10.20.0.100"),
                Map.entry("mac", "52:54:00:12:34:56"), Map.entry("hostname", "node-01"), Map.entry("state", "bound"),
                Map.entry("expires", "2027-01-15T09:00:00Z"), Map.entry("reserved", false),
                Map.entry("pool", "interface br-prov"));
        assertThat(all.get(0).fields()).doesNotContainKey("expires");
    }

    // --- helpers

    private Inet4Address offered(MacAddress mac, long now) {
        ServerDhcp.Decision d = server.decide(discover(mac), arrival(), now);
        assertThat(d).isInstanceOf(ServerDhcp.Reply.class);
        return ((ServerDhcp.Reply) d).message().yiaddr();
    }

    private void bind(MacAddress mac, Inet4Address address, long now) {
        assertThat(offered(mac, now)).isEqualTo(address);
        List<DhcpOption> options = new ArrayList<>(List.of(
                new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.REQUEST.code()}),
                new DhcpOption(DhcpOptionCode.REQUESTED_ADDRESS, address.getAddress()),
                new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, SERVER.getAddress())));
        ServerDhcp.Decision ack = server.decide(message(mac, DhcpMessage.ZERO, options), arrival(), now);
        assertThat(((ServerDhcp.Reply) ack).message().messageType()).contains(DhcpMessageType.ACK);
    }

    private static DhcpMessage discover(MacAddress mac) {
        return message(mac, DhcpMessage.ZERO, List.of(
                new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.DISCOVER.code()})));
    }

    private static DhcpMessage release(MacAddress mac, Inet4Address address) {
        return message(mac, address, List.of(
                new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.RELEASE.code()}),
                new DhcpOption(DhcpOptionCode.SERVER_IDENTIFIER, SERVER.getAddress())));
    }

    private static DhcpMessage message(MacAddress mac, Inet4Address ciaddr, List<DhcpOption> options) {
        byte[] chaddr = new byte[16];
        System.arraycopy(java.util.HexFormat.of().parseHex(mac.toString().replace(":", "")), 0, chaddr, 0, 6);
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, 0x2000, 0, 0, ciaddr, DhcpMessage.ZERO,
                DhcpMessage.ZERO, DhcpMessage.ZERO, chaddr, "", "", options);
    }

    private ServerDhcp.Arrival arrival() {
        return new ServerDhcp.Arrival(Optional.of(link), SERVER);
    }

    private static Inet4Address ip(String text) {
        return Ipv4.parse(text).orElseThrow();
    }
}
