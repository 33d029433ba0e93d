package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bootferry.journal.RecentBootFamilies;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server mode's RFC 2131 state machine without sockets: the real decision and lease book, the real
 * planner over a real config directory, time passed in.
 */
class ServerDhcpTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final MacAddress RESERVED = MacAddress.parse("52:54:00:00:00:21");
    private static final MacAddress STRANGER = MacAddress.parse("52:54:00:99:99:99");
    private static final Inet4Address SERVER = ip("10.20.0.1");
    private static final InetSocketAddress BROADCAST = new InetSocketAddress("255.255.255.255", 68);
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path config;
    private final List<Lease> stored = new ArrayList<>();
    private AddressPool link;
    private AddressPool relayed;
    private ServerDhcp server;
    private int xid = 0x1000;

    private final MemoryHosts hosts = new MemoryHosts();

    @BeforeEach
    void start() {
        hosts.put(VM, new Hosts.Host(Optional.empty(), Optional.of("node-01")));
        hosts.put(RESERVED, new Hosts.Host(Optional.of(ip("10.20.0.21")), Optional.empty()));
        link = new AddressPool(Optional.of("br-prov"), net("10.20.0.0/24"), ip("10.20.0.100"), ip("10.20.0.102"),
                Optional.of(SERVER), List.of(SERVER), Optional.of("lab"), List.of("lab", "example.lab"),
                Duration.ofHours(1), OptionalInt.of(9000), false);
        relayed = new AddressPool(Optional.empty(), net("10.21.0.0/24"), ip("10.21.0.50"), ip("10.21.0.60"),
                Optional.of(ip("10.21.0.1")), List.of(), Optional.empty(), List.of(), Duration.ofMinutes(10),
                OptionalInt.empty(), true);
        server = restart();
    }

    private ServerDhcp restart() {
        return new ServerDhcp(List.of(link, relayed), hosts, BootConfig.planner(config, SERVER.getHostAddress(), VM, RESERVED),
                BootFamilies.NONE, stored, 68, 67);
    }

    @Test
    void doraGivesTheFirstFreeAddressWithThePoolsOptions() {
        ServerDhcp.Reply offer = reply(discover(VM), T0);
        assertThat(offer.message().messageType()).contains(DhcpMessageType.OFFER);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(offer.leases()).isEmpty();
        assertThat(offer.probe()).contains(ip("10.20.0.100"));
        assertThat(offer.recipient()).isEqualTo(BROADCAST);

        ServerDhcp.Reply ack = reply(selecting(VM, ip("10.20.0.100")), T0 + 10);
        DhcpMessage m = ack.message();
        assertThat(m.messageType()).contains(DhcpMessageType.ACK);
        assertThat(m.yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(ack.leases()).containsExactly(new Lease(ip("10.20.0.100"), Optional.of(VM), T0 + 10 + 3_600_000));
        assertThat(m.options()).extracting(DhcpOption::code).containsExactly(53, 54, 51, 58, 59, 1, 3, 6, 15, 119, 26, 12);
        assertThat(hex(m, 54)).isEqualTo("0a140001");
        assertThat(hex(m, 51)).isEqualTo("00000e10");
        assertThat(hex(m, 58)).isEqualTo("00000708");
        assertThat(hex(m, 59)).isEqualTo("00000c4e");
        assertThat(hex(m, 1)).isEqualTo("ffffff00");
        assertThat(hex(m, 26)).isEqualTo("2328");
        // RFC 3397 §2: "lab" in full, then "example" and a pointer to offset 0.
        assertThat(hex(m, 119)).isEqualTo("036c616200" + "076578616d706c65" + "c000");
        assertThat(m.option(12).orElseThrow().text()).isEqualTo("node-01");
    }

    @Test
    void aPxeClientGetsItsBootAnswerInTheOfferAndTheAck() throws Exception {
        DhcpMessage discover = Captures.message(Captures.EDK2_X64_DISCOVER);
        MacAddress mac = discover.mac();
        hosts.put(mac, new Hosts.Host(Optional.empty(), Optional.empty()));
        server = new ServerDhcp(List.of(link), hosts, BootConfig.planner(config, SERVER.getHostAddress(), mac),
                BootFamilies.NONE, stored, 68, 67);
        ServerDhcp.Reply offer = reply(discover, T0);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(offer.message().siaddr()).isEqualTo(SERVER);
        assertThat(offer.message().file()).isEqualTo("ipxe.efi");
        assertThat(offer.message().option(66).orElseThrow().text()).isEqualTo("10.20.0.1");
        assertThat(hex(offer.message(), 43)).isEqualTo("060108ff");
        assertThat(offer.message().option(60).orElseThrow().text()).isEqualTo("PXEClient");
        assertThat(offer.booting()).isPresent();
        DhcpMessage request = withOptions(discover, DhcpMessageType.REQUEST,
                new DhcpOption(50, ip("10.20.0.100").getAddress()), new DhcpOption(54, SERVER.getAddress()));
        ServerDhcp.Reply ack = reply(request, T0 + 5);
        assertThat(ack.message().messageType()).contains(DhcpMessageType.ACK);
        assertThat(ack.message().file()).isEqualTo("ipxe.efi");
        assertThat(ack.message().siaddr()).isEqualTo(SERVER);
    }

    /**
     * iPXE takes DHCPv4's file before DHCPv6's option 59 (iPXE core/settings.c: the "dhcp" settings
     * block, order 0, before "dhcpv6", order -1), so the DHCPv4 answer to the iPXE of a machine whose
     * firmware came over IPv6 names none: iPXE then takes its script URL from DHCPv6. The firmware's
     * next answer over IPv4 turns that off.
     */
    @Test
    void theIpxeOfAMachineWhoseFirmwareCameOverIpv6GetsItsAddressButNoScriptUrl() throws Exception {
        DhcpMessage firmware = Captures.message(Captures.EDK2_X64_DISCOVER);
        MacAddress mac = firmware.mac();
        DhcpMessage ipxe = withMac(Captures.message(Captures.IPXE_EFI_STAGE2_DISCOVER), mac);
        hosts.put(mac, new Hosts.Host(Optional.empty(), Optional.empty()));
        BootFamilies families = new RecentBootFamilies(() -> 0);
        server = new ServerDhcp(List.of(link), hosts, BootConfig.planner(config, SERVER.getHostAddress(), mac),
                families, stored, 68, 67);
        assertThat(reply(ipxe, T0).message().file()).as("no firmware answered yet")
                .startsWith("http://10.20.0.1:8080/boot/" + mac.dashed() + "/");

        families.firmwareAnswered(mac, true);
        ServerDhcp.Reply offer = reply(ipxe, T0 + 1);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(offer.message().file()).isEmpty();
        assertThat(offer.message().siaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(offer.message().option(66)).isEmpty();
        assertThat(offer.booting()).isEmpty();
        assertThat(families.firmwareCameOverIpv6(MacAddress.parse("52:54:00:00:00:99"))).as("another machine").isFalse();

        assertThat(reply(firmware, T0 + 2).message().file()).as("the firmware over IPv4").isEqualTo("ipxe.efi");
        assertThat(families.firmwareCameOverIpv6(mac)).isFalse();
        assertThat(reply(ipxe, T0 + 3).message().file()).as("its iPXE, after the firmware came over IPv4")
                .startsWith("http://10.20.0.1:8080/boot/" + mac.dashed() + "/");
    }

    @Test
    void aReservedMachineGetsItsAddressOutsideTheRange() {
        assertThat(reply(discover(RESERVED), T0).message().yiaddr()).isEqualTo(ip("10.20.0.21"));
        assertThat(reply(selecting(RESERVED, ip("10.20.0.21")), T0).leases())
                .containsExactly(new Lease(ip("10.20.0.21"), Optional.of(RESERVED), T0 + 3_600_000));
    }

    @Test
    void theReservationIsNeverOfferedToAnotherMachine() {
        DhcpMessage asking = withOptions(discover(VM), DhcpMessageType.DISCOVER,
                new DhcpOption(50, ip("10.20.0.21").getAddress()));
        assertThat(reply(asking, T0).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
    }

    @Test
    void twoClientsAskingAtOnceAreOfferedDifferentAddressesAndTheRangeRunsOut() {
        MacAddress a = MacAddress.parse("52:54:00:00:01:01");
        MacAddress b = MacAddress.parse("52:54:00:00:01:02");
        MacAddress c = MacAddress.parse("52:54:00:00:01:03");
        for (MacAddress mac : List.of(a, b, c)) {
            hosts.put(mac, new Hosts.Host(Optional.empty(), Optional.empty()));
        }
        assertThat(reply(discover(VM), T0).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(reply(discover(a), T0).message().yiaddr()).isEqualTo(ip("10.20.0.101"));
        assertThat(reply(discover(b), T0).message().yiaddr()).isEqualTo(ip("10.20.0.102"));
        assertThat(server.decide(discover(c), arrival(), T0)).isInstanceOf(ServerDhcp.Silent.class);
        // An offer nobody took is free again after a minute.
        assertThat(reply(discover(c), T0 + LeaseBook.OFFER_MILLIS + 1).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
    }

    @Test
    void renewingExtendsTheLeaseAndRebootingClientsKeepTheirAddress() {
        bind(VM, ip("10.20.0.100"), T0);
        DhcpMessage renew = message(VM, DhcpMessageType.REQUEST, ip("10.20.0.100"), DhcpMessage.ZERO);
        ServerDhcp.Reply ack = reply(renew, T0 + 1_800_000);
        assertThat(ack.message().messageType()).contains(DhcpMessageType.ACK);
        assertThat(ack.recipient()).isEqualTo(new InetSocketAddress("10.20.0.100", 68));
        assertThat(ack.leases()).containsExactly(new Lease(ip("10.20.0.100"), Optional.of(VM), T0 + 5_400_000));
        DhcpMessage initReboot = withOptions(message(VM, DhcpMessageType.REQUEST, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.REQUEST, new DhcpOption(50, ip("10.20.0.100").getAddress()));
        assertThat(reply(initReboot, T0 + 2_000_000).message().messageType()).contains(DhcpMessageType.ACK);
    }

    @Test
    void initRebootForAnotherMachinesAddressIsNakedAndForAnUnknownOneSilent() {
        bind(VM, ip("10.20.0.100"), T0);
        MacAddress other = MacAddress.parse("52:54:00:00:02:02");
        hosts.put(other, new Hosts.Host(Optional.empty(), Optional.empty()));
        DhcpMessage taken = withOptions(message(other, DhcpMessageType.REQUEST, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.REQUEST, new DhcpOption(50, ip("10.20.0.100").getAddress()));
        ServerDhcp.Reply nak = reply(taken, T0 + 1);
        assertThat(nak.message().messageType()).contains(DhcpMessageType.NAK);
        assertThat(nak.recipient()).isEqualTo(BROADCAST);
        DhcpMessage elsewhere = withOptions(message(other, DhcpMessageType.REQUEST, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.REQUEST, new DhcpOption(50, ip("192.168.1.5").getAddress()));
        assertThat(reply(elsewhere, T0 + 1).message().messageType()).contains(DhcpMessageType.NAK);
        DhcpMessage noRecord = withOptions(message(other, DhcpMessageType.REQUEST, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.REQUEST, new DhcpOption(50, ip("10.20.0.101").getAddress()));
        assertThat(server.decide(noRecord, arrival(), T0 + 1)).isInstanceOf(ServerDhcp.Silent.class);
    }

    @Test
    void aClientThatChoseAnotherServerFreesItsOffer() {
        reply(discover(VM), T0);
        DhcpMessage other = withOptions(message(VM, DhcpMessageType.REQUEST, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.REQUEST, new DhcpOption(50, ip("10.20.0.100").getAddress()),
                new DhcpOption(54, ip("10.20.0.254").getAddress()));
        assertThat(server.decide(other, arrival(), T0 + 1)).isInstanceOf(ServerDhcp.Silent.class);
        MacAddress next = MacAddress.parse("52:54:00:00:03:03");
        hosts.put(next, new Hosts.Host(Optional.empty(), Optional.empty()));
        assertThat(reply(discover(next), T0 + 2).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
    }

    @Test
    void aDeclinedAddressIsQuarantinedAndTheClientGetsAnother() {
        bind(VM, ip("10.20.0.100"), T0);
        DhcpMessage decline = withOptions(message(VM, DhcpMessageType.DECLINE, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.DECLINE, new DhcpOption(50, ip("10.20.0.100").getAddress()),
                new DhcpOption(54, SERVER.getAddress()));
        ServerDhcp.Decision d = server.decide(decline, arrival(), T0 + 1);
        assertThat(d).isInstanceOf(ServerDhcp.Store.class);
        assertThat(((ServerDhcp.Store) d).leases()).containsExactly(
                new Lease(ip("10.20.0.100"), Optional.empty(), T0 + 1 + ServerDhcp.QUARANTINE.toMillis()));
        assertThat(reply(discover(VM), T0 + 2).message().yiaddr()).isEqualTo(ip("10.20.0.101"));
    }

    @Test
    void aReleasedAddressIsFreeAndItsLastHolderGetsItBack() {
        bind(VM, ip("10.20.0.101"), T0);
        DhcpMessage release = message(VM, DhcpMessageType.RELEASE, ip("10.20.0.101"), DhcpMessage.ZERO);
        ServerDhcp.Decision d = server.decide(release, arrival(), T0 + 1);
        assertThat(((ServerDhcp.Store) d).leases()).containsExactly(new Lease(ip("10.20.0.101"), Optional.of(VM), T0 + 1));
        assertThat(reply(discover(VM), T0 + 2).message().yiaddr()).isEqualTo(ip("10.20.0.101"));
    }

    @Test
    void leasesSurviveARestartFromTheStore() {
        bind(VM, ip("10.20.0.100"), T0);
        stored.addAll(server.leases());
        server = restart();
        MacAddress other = MacAddress.parse("52:54:00:00:02:02");
        hosts.put(other, new Hosts.Host(Optional.empty(), Optional.empty()));
        assertThat(reply(discover(other), T0 + 1).message().yiaddr()).isEqualTo(ip("10.20.0.101"));
        assertThat(reply(discover(VM), T0 + 1).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
    }

    @Test
    void unknownMachinesGetAnAddressOnlyWhereThePoolSaysSoAndNeverABootAnswer() throws Exception {
        assertThat(server.decide(discover(STRANGER), arrival(), T0)).isInstanceOf(ServerDhcp.Silent.class);
        DhcpMessage relayedDiscover = Captures.message(Captures.EDK2_X64_DISCOVER);
        relayedDiscover = new DhcpMessage(1, 1, 6, 1, 7, 0, 0, DhcpMessage.ZERO, DhcpMessage.ZERO, DhcpMessage.ZERO,
                ip("10.21.0.1"), discover(STRANGER).chaddr(), "", "", relayedDiscover.options());
        ServerDhcp.Reply offer = reply(relayedDiscover, T0);
        assertThat(offer.message().yiaddr()).isEqualTo(ip("10.21.0.50"));
        assertThat(offer.recipient()).isEqualTo(new InetSocketAddress("10.21.0.1", 67));
        assertThat(offer.message().file()).isEmpty();
        assertThat(offer.booting()).isEmpty();
        assertThat(offer.probe()).as("a relayed subnet is not on our link: not probed").isEmpty();
    }

    @Test
    void anAddressNeverLeasedGoesFirstEvenBelowBoundOnesThenTheLongestExpired() {
        MacAddress a = MacAddress.parse("52:54:00:00:04:01");
        MacAddress b = MacAddress.parse("52:54:00:00:04:02");
        MacAddress c = MacAddress.parse("52:54:00:00:04:03");
        MacAddress d = MacAddress.parse("52:54:00:00:04:04");
        for (MacAddress mac : List.of(a, b, c, d)) {
            hosts.put(mac, new Hosts.Host(Optional.empty(), Optional.empty()));
        }
        assertThat(reply(discover(VM), T0).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(reply(discover(a), T0).message().yiaddr()).isEqualTo(ip("10.20.0.101"));
        assertThat(reply(selecting(a, ip("10.20.0.101")), T0).message().messageType()).contains(DhcpMessageType.ACK);
        assertThat(reply(discover(b), T0 + 1).message().yiaddr()).isEqualTo(ip("10.20.0.102"));
        assertThat(reply(selecting(b, ip("10.20.0.102")), T0 + 1).message().messageType()).contains(DhcpMessageType.ACK);
        // VM's offer lapsed: .100 was never leased, so it goes before any bound or expired address above it.
        long later = T0 + LeaseBook.OFFER_MILLIS + 1;
        assertThat(reply(discover(c), later).message().yiaddr()).isEqualTo(ip("10.20.0.100"));
        assertThat(reply(selecting(c, ip("10.20.0.100")), later).message().messageType()).contains(DhcpMessageType.ACK);
        assertThat(server.decide(discover(d), arrival(), later)).isInstanceOf(ServerDhcp.Silent.class);
        // Every address has had a lease: once a's and b's have expired, the one that expired first.
        long expired = T0 + 1 + Duration.ofHours(1).toMillis() + 1;
        assertThat(reply(discover(d), expired).message().yiaddr()).isEqualTo(ip("10.20.0.101"));
    }

    @Test
    void informIsAnsweredWithTheOptionsAndNoLease() {
        DhcpMessage inform = message(VM, DhcpMessageType.INFORM, ip("10.20.0.77"), DhcpMessage.ZERO);
        ServerDhcp.Reply ack = reply(inform, T0);
        assertThat(ack.message().yiaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(ack.message().option(51)).isEmpty();
        assertThat(ack.leases()).isEmpty();
        assertThat(ack.recipient()).isEqualTo(new InetSocketAddress("10.20.0.77", 68));
    }

    // --- helpers

    private void bind(MacAddress mac, Inet4Address address, long now) {
        reply(withOptions(discover(mac), DhcpMessageType.DISCOVER, new DhcpOption(50, address.getAddress())), now);
        assertThat(reply(selecting(mac, address), now).message().messageType()).contains(DhcpMessageType.ACK);
    }

    private ServerDhcp.Reply reply(DhcpMessage request, long now) {
        ServerDhcp.Decision d = server.decide(request, arrival(), now);
        assertThat(d).isInstanceOf(ServerDhcp.Reply.class);
        return (ServerDhcp.Reply) d;
    }

    private ServerDhcp.Arrival arrival() {
        return new ServerDhcp.Arrival(Optional.of(link), SERVER);
    }

    private DhcpMessage discover(MacAddress mac) {
        return message(mac, DhcpMessageType.DISCOVER, DhcpMessage.ZERO, DhcpMessage.ZERO);
    }

    private DhcpMessage selecting(MacAddress mac, Inet4Address address) {
        return withOptions(message(mac, DhcpMessageType.REQUEST, DhcpMessage.ZERO, DhcpMessage.ZERO),
                DhcpMessageType.REQUEST, new DhcpOption(50, address.getAddress()), new DhcpOption(54, SERVER.getAddress()));
    }

    private DhcpMessage message(MacAddress mac, DhcpMessageType type, Inet4Address ciaddr, Inet4Address giaddr) {
        byte[] chaddr = new byte[16];
        System.arraycopy(HexFormat.of().parseHex(mac.toString().replace(":", "")), 0, chaddr, 0, 6);
        return new DhcpMessage(1, 1, 6, 0, xid++, 0, 0, ciaddr, DhcpMessage.ZERO, DhcpMessage.ZERO, giaddr, chaddr,
                "", "", List.of(new DhcpOption(53, new byte[] {(byte) type.code()})));
    }

    private static DhcpMessage withOptions(DhcpMessage m, DhcpMessageType type, DhcpOption... more) {
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption(53, new byte[] {(byte) type.code()}));
        m.options().stream().filter(o -> o.code() != 53 && o.code() != 50 && o.code() != 54).forEach(options::add);
        options.addAll(List.of(more));
        return new DhcpMessage(m.op(), m.htype(), m.hlen(), m.hops(), m.xid(), m.secs(), m.flags(), m.ciaddr(),
                m.yiaddr(), m.siaddr(), m.giaddr(), m.chaddr(), m.sname(), m.file(), options);
    }

    private static DhcpMessage withMac(DhcpMessage m, MacAddress mac) {
        byte[] chaddr = m.chaddr().clone();
        System.arraycopy(HexFormat.of().parseHex(mac.toString().replace(":", "")), 0, chaddr, 0, 6);
        return new DhcpMessage(m.op(), m.htype(), m.hlen(), m.hops(), m.xid(), m.secs(), m.flags(), m.ciaddr(),
                m.yiaddr(), m.siaddr(), m.giaddr(), chaddr, m.sname(), m.file(), m.options());
    }

    private static String hex(DhcpMessage m, int code) {
        return HexFormat.of().formatHex(m.option(code).orElseThrow().value());
    }

    private static Inet4Address ip(String text) {
        return Ipv4.parse(text).orElseThrow();
    }

    private static Ipv4.Network net(String text) {
        return Ipv4.Network.parse(text).orElseThrow();
    }
}
