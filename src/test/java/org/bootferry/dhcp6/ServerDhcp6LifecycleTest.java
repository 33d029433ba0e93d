package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.bootferry.dhcp6.Captures6.*;
import static org.bootferry.dhcp6.ServerDhcp6Test.*;

import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCPv6 server mode after the first exchange (RFC 8415 §18.3.1-§18.3.8): Rapid Commit, renewing,
 * rebinding, releasing, declining, confirming, asking for information, running out of addresses,
 * and a machine's {@code ip6:} for each of its clients.
 */
class ServerDhcp6LifecycleTest {

    private static final Inet6Address RESERVED = address("fd42::21");

    @TempDir
    Path config;
    final MemoryHosts hosts = new MemoryHosts();
    ServerDhcp6 server;

    @BeforeEach
    void vmIsKnown() {
        hosts.hosts.put(BootConfig6.VM, new Hosts6.Host(Optional.empty(), Optional.empty()));
        server = new ServerDhcp6(List.of(POOL), hosts, BootConfig6.planner(config, ""), BootOnly6.DuidBook.NONE, OURS,
                Discoveries.NONE, List.of());
    }

    private Dhcp6Message.ClientServer answer(Dhcp6Message m, long now) {
        return ServerDhcp6Test.answer(outcome(m, now));
    }

    private ServerDhcp6.Outcome outcome(Dhcp6Message m, long now) {
        return server.decide(m, CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP, Optional.of("br0"), now);
    }

    /** EDK2's PXE client bound to fd42::100 at T0. */
    private Dhcp6Message.ClientServer bound() {
        answer(message(EDK2_PXE_SOLICIT), T0);
        Dhcp6Message.ClientServer request = toUs(message(EDK2_PXE_REQUEST));
        assertThat(addresses(answer(request, T0))).containsExactly(address("fd42::100"));
        return request;
    }

    @Test
    void aSolicitWithRapidCommitIsBoundAndRepliedToAtOnce() {
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);
        Dhcp6Message.ClientServer rapid = new Dhcp6Message.ClientServer(solicit.type(), solicit.transactionId(),
                concat(solicit.options(), new Dhcp6Option.RapidCommit()));
        ServerDhcp6.Outcome outcome = outcome(rapid, T0);
        Dhcp6Message.ClientServer reply = ServerDhcp6Test.answer(outcome);
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(reply.option(Dhcp6Option.RapidCommit.class)).isPresent();
        assertThat(reply.option(Dhcp6Option.BootfileUrl.class)).isPresent();
        assertThat(outcome.leases()).extracting(Lease6::address).containsExactly(address("fd42::100"));
    }

    @Test
    void renewAndRebindExtendABindingAndAnUnknownIaGetsNoBinding() {
        Dhcp6Message.ClientServer request = bound();
        ServerDhcp6.Outcome renewed = outcome(as(Dhcp6MessageType.RENEW, request, true, address("fd42::100")),
                T0 + 1_800_000);
        assertThat(renewed.leases()).extracting(Lease6::expires).containsExactly(T0 + 1_800_000 + 7_200_000);
        assertThat(ServerDhcp6Test.answer(renewed).option(Dhcp6Option.BootfileUrl.class)).isEmpty();
        ServerDhcp6.Outcome rebound = outcome(as(Dhcp6MessageType.REBIND, request, false, address("fd42::100")),
                T0 + 2_880_000);
        assertThat(rebound.leases()).extracting(Lease6::expires).containsExactly(T0 + 2_880_000 + 7_200_000);

        Dhcp6Message.ClientServer ipxe = as(Dhcp6MessageType.RENEW, toUs(message(IPXE_REQUEST)), true,
                address("fd42::150"));
        Dhcp6Message.ClientServer noBinding = answer(ipxe, T0);
        assertThat(statuses(noBinding)).containsExactly(Dhcp6Option.StatusCode.NO_BINDING);
        assertThat(addresses(noBinding)).isEmpty();
    }

    @Test
    void aRebindOfAnAddressOffTheLinkReturnsItWithLifetimesZero() {
        Dhcp6Message.ClientServer reply = answer(as(Dhcp6MessageType.REBIND, message(EDK2_PXE_REQUEST), false,
                address("fd99::5")), T0);
        assertThat(reply.option(Dhcp6Option.IaNa.class).orElseThrow().addresses())
                .containsExactly(new Dhcp6Option.IaAddress(address("fd99::5"), 0, 0, List.of()));
    }

    @Test
    void aRequestForAnAddressOffTheLinkGetsNotOnLink() {
        answer(message(EDK2_PXE_SOLICIT), T0);
        Dhcp6Message.ClientServer reply = answer(as(Dhcp6MessageType.REQUEST, message(EDK2_PXE_REQUEST), true,
                address("fd99::5")), T0);
        assertThat(statuses(reply)).containsExactly(Dhcp6Option.StatusCode.NOT_ON_LINK);
        assertThat(server.leases()).isEmpty();
    }

    @Test
    void aReleaseIsAnsweredAndFreesTheAddressWhichItsHolderGetsBackFirst() {
        Dhcp6Message.ClientServer request = bound();
        ServerDhcp6.Outcome released = outcome(as(Dhcp6MessageType.RELEASE, request, true, address("fd42::100")),
                T0 + 5);
        Dhcp6Message.ClientServer reply = ServerDhcp6Test.answer(released);
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(statuses(reply)).containsExactly(Dhcp6Option.StatusCode.SUCCESS);
        assertThat(released.leases()).singleElement().satisfies(l -> {
            assertThat(l.busy(T0 + 5)).isFalse();
            assertThat(l.holder()).isPresent();
        });
        // A release of what it does not hold: answered (EDK2 retransmits otherwise), NoBinding in the IA.
        Dhcp6Message.ClientServer again = answer(as(Dhcp6MessageType.RELEASE, request, true, address("fd42::100")),
                T0 + 6);
        assertThat(statuses(again)).containsExactly(Dhcp6Option.StatusCode.SUCCESS, Dhcp6Option.StatusCode.NO_BINDING);
        assertThat(server.bindings(T0 + 6)).singleElement().satisfies(b -> {
            assertThat(b.address()).isEqualTo("fd42::100");
            assertThat(b.state()).isEqualTo(org.bootferry.machine.Addressing.State.FREE);
            assertThat(b.mac()).contains(BootConfig6.VM);
            assertThat(b.duid()).contains(BootOnly6.hex(request.option(Dhcp6Option.ClientId.class).orElseThrow().duid()));
            assertThat(b.pool()).isEqualTo("interface br0");
        });
        // EDK2's next boot: a new IAID, the same MAC: the address it had.
        assertThat(addresses(answer(message(EDK2_AUTOCONFIG_SOLICIT), T0 + 10))).containsExactly(address("fd42::100"));
    }

    @Test
    void aDeclinedAddressIsQuarantinedAndTheClientGetsAnother() {
        Dhcp6Message.ClientServer request = bound();
        ServerDhcp6.Outcome declined = outcome(as(Dhcp6MessageType.DECLINE, request, true, address("fd42::100")),
                T0 + 5);
        assertThat(statuses(ServerDhcp6Test.answer(declined))).containsExactly(Dhcp6Option.StatusCode.SUCCESS);
        assertThat(declined.leases()).containsExactly(new Lease6(address("fd42::100"), Optional.empty(),
                T0 + 5 + ServerDhcp6.QUARANTINE_MILLIS));
        assertThat(addresses(answer(message(EDK2_PXE_SOLICIT), T0 + 10))).containsExactly(address("fd42::101"));
        assertThat(server.bindings(T0 + 10)).extracting(b -> b.state()).containsExactly(
                org.bootferry.machine.Addressing.State.QUARANTINED);
    }

    @Test
    void confirmSaysWhetherTheAddressesAreOnTheLinkAndIsNotAnsweredWithoutAny() {
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);
        assertThat(statuses(answer(as(Dhcp6MessageType.CONFIRM, solicit, false, address("fd42::7")), T0)))
                .containsExactly(Dhcp6Option.StatusCode.SUCCESS);
        assertThat(statuses(answer(as(Dhcp6MessageType.CONFIRM, solicit, false, address("fd42::7"),
                address("fd43::7")), T0))).containsExactly(Dhcp6Option.StatusCode.NOT_ON_LINK);
        assertThat(outcome(as(Dhcp6MessageType.CONFIRM, solicit, false), T0).decision())
                .isInstanceOf(BootOnly6.Silent.class);
    }

    @Test
    void anInformationRequestGetsTheDnsOptionsItAsksFor() {
        Dhcp6Message.ClientServer info = new Dhcp6Message.ClientServer(Dhcp6MessageType.INFORMATION_REQUEST, 7,
                List.of(new Dhcp6Option.OptionRequest(List.of(23, 24))));
        Dhcp6Message.ClientServer reply = answer(info, T0);
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(reply.option(Dhcp6Option.DnsServers.class).orElseThrow().servers())
                .containsExactly(address("fd42::53"));
        assertThat(reply.option(Dhcp6Option.DomainList.class).orElseThrow().domains()).containsExactly("lab");
        assertThat(reply.option(Dhcp6Option.IaNa.class)).isEmpty();
    }

    @Test
    void aFullPoolAdvertisesNoAddrsAvailWithoutAnIa() {
        server = new ServerDhcp6(List.of(new AddressPool6(Optional.of("br0"), POOL.prefix(), address("fd42::100"),
                address("fd42::100"), 3600, 7200, List.of(), List.of(), false)), hosts, BootConfig6.planner(config, ""),
                BootOnly6.DuidBook.NONE, OURS, Discoveries.NONE, List.of());
        bound();
        MacAddress other = MacAddress.parse("52:54:00:12:34:57");
        hosts.hosts.put(other, new Hosts6.Host(Optional.empty(), Optional.empty()));
        Dhcp6Message.ClientServer advertise = ServerDhcp6Test.answer(server.decide(message(IPXE_SOLICIT),
                address("fe80::5054:ff:fe12:3457"), SERVER, BootOnly6.Listener.DHCP, Optional.of("br0"), T0 + 1));
        assertThat(advertise.option(Dhcp6Option.IaNa.class)).isEmpty();
        assertThat(statuses(advertise)).containsExactly(Dhcp6Option.StatusCode.NO_ADDRS_AVAIL);
    }

    /**
     * EDK2's autoconfig client, its PXE client and iPXE send three DUIDs (reference/ipv6): each gets the
     * machine's ip6:, and no pool address is taken for any of them.
     */
    @Test
    void aReservationServesEachOfTheMachinesClientsWithoutTakingPoolAddresses() {
        hosts.hosts.put(BootConfig6.VM, new Hosts6.Host(Optional.of(RESERVED), Optional.of("node-01")));
        // Listed before any client holds it, as DHCPv4 lists an ip: (the API, leases, the status page).
        assertThat(server.bindings(T0)).singleElement().satisfies(b -> {
            assertThat(b.fields()).containsExactly(entry("address", "fd42::21"), entry("mac", BootConfig6.VM.toString()),
                    entry("hostname", "node-01"), entry("state", "reserved"), entry("reserved", true),
                    entry("pool", "interface br0"));
        });
        for (String solicit : List.of(EDK2_AUTOCONFIG_SOLICIT, EDK2_PXE_SOLICIT, IPXE_SOLICIT)) {
            assertThat(addresses(answer(message(solicit), T0))).as(solicit).containsExactly(RESERVED);
        }
        assertThat(addresses(answer(toUs(message(EDK2_PXE_REQUEST)), T0 + 1))).containsExactly(RESERVED);
        assertThat(addresses(answer(toUs(message(IPXE_REQUEST)), T0 + 2))).containsExactly(RESERVED);
        assertThat(server.leases()).extracting(Lease6::address).containsExactly(RESERVED);
        assertThat(server.bindings(T0 + 2)).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(org.bootferry.machine.Addressing.State.BOUND);
            assertThat(b.reserved()).isTrue();
        });
        // Another machine never gets it, even when the pool's range would.
        MacAddress other = MacAddress.parse("52:54:00:12:34:57");
        hosts.hosts.put(other, new Hosts6.Host(Optional.empty(), Optional.empty()));
        Dhcp6Message.ClientServer advertise = ServerDhcp6Test.answer(server.decide(message(EDK2_AUTOCONFIG_SOLICIT),
                address("fe80::5054:ff:fe12:3457"), SERVER, BootOnly6.Listener.DHCP, Optional.of("br0"), T0 + 3));
        assertThat(addresses(advertise)).containsExactly(address("fd42::100"));
    }

    @Test
    void aRelayedClientIsServedByThePoolOfItsLinkAndAnswersInARelayReply() {
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 1, address("fd42::1"),
                CLIENT_LINK_LOCAL, List.of(new Dhcp6Option.InterfaceId(Opaque.ascii("eth1")),
                        new Dhcp6Option.RelayMessage(message(EDK2_PXE_SOLICIT))));
        ServerDhcp6.Outcome outcome = server.decide(forward, address("fd42::1"), SERVER, BootOnly6.Listener.DHCP,
                Optional.empty(), T0);
        Dhcp6Message.Relay reply = (Dhcp6Message.Relay) ((BootOnly6.Reply) outcome.decision()).message();
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.RELAY_REPL);
        assertThat(reply.hopCount()).isEqualTo(1);
        assertThat(reply.option(Dhcp6Option.InterfaceId.class)).contains(new Dhcp6Option.InterfaceId(Opaque.ascii("eth1")));
        assertThat(addresses(reply.relayed())).containsExactly(address("fd42::100"));
        Dhcp6Message.Relay elsewhere = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, address("fd77::1"),
                CLIENT_LINK_LOCAL, List.of(new Dhcp6Option.RelayMessage(message(EDK2_PXE_SOLICIT))));
        assertThat(server.decide(elsewhere, address("fd77::1"), SERVER, BootOnly6.Listener.DHCP, Optional.empty(), T0)
                .decision()).isInstanceOf(BootOnly6.Silent.class);
    }

    /**
     * A link only relay agents reach, no interface of ours on it: its pool names no interface, and the
     * relay's link-address picks it (RFC 8415 §13.1). EDK2's SOLICIT and REQUEST through the relay bind
     * an address of that prefix; a client on our own link br0 still gets br0's.
     */
    @Test
    void aPoolWithoutAnInterfaceServesTheRelayedLinkOfItsPrefix() {
        AddressPool6 remote = new AddressPool6(Optional.empty(), org.bootferry.lang.Ipv6.Network.parse("fd43::/64")
                .orElseThrow(), address("fd43::100"), address("fd43::1ff"), 3600, 7200, List.of(), List.of(), false);
        server = new ServerDhcp6(List.of(POOL, remote), hosts, BootConfig6.planner(config, ""),
                BootOnly6.DuidBook.NONE, OURS, Discoveries.NONE, List.of());
        Dhcp6Message.ClientServer advertise = relayedFromFd43(message(EDK2_PXE_SOLICIT));
        assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(addresses(advertise)).containsExactly(address("fd43::100"));
        // The captured REQUEST asks for the address dnsmasq offered on fd42::/64: it asks for ours here.
        Dhcp6Message.ClientServer reply = relayedFromFd43(as(Dhcp6MessageType.REQUEST, message(EDK2_PXE_REQUEST), true,
                address("fd43::100")));
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(addresses(reply)).containsExactly(address("fd43::100"));
        assertThat(reply.option(Dhcp6Option.BootfileUrl.class)).isPresent();
        assertThat(server.bindings(T0)).singleElement().satisfies(b -> {
            assertThat(b.address()).isEqualTo("fd43::100");
            assertThat(b.pool()).isEqualTo("prefix fd43::/64");
        });

        MacAddress onBr0 = MacAddress.parse("52:54:00:12:34:57");
        hosts.hosts.put(onBr0, new Hosts6.Host(Optional.empty(), Optional.empty()));
        Dhcp6Message.ClientServer local = ServerDhcp6Test.answer(server.decide(message(IPXE_SOLICIT),
                address("fe80::5054:ff:fe12:3457"), SERVER, BootOnly6.Listener.DHCP, Optional.of("br0"), T0));
        assertThat(addresses(local)).containsExactly(address("fd42::100"));
    }

    /** {@code m} in a RELAY-FORW from a relay agent on fd43::/64, and the client message of its RELAY-REPL. */
    private Dhcp6Message.ClientServer relayedFromFd43(Dhcp6Message.ClientServer m) {
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, address("fd43::1"),
                CLIENT_LINK_LOCAL, List.of(new Dhcp6Option.RelayMessage(m)));
        BootOnly6.Decision d = server.decide(forward, address("fd43::1"), SERVER, BootOnly6.Listener.DHCP,
                Optional.empty(), T0).decision();
        Dhcp6Message.Relay reply = (Dhcp6Message.Relay) (d instanceof BootOnly6.Reply r ? r.message()
                : ((BootOnly6.Answered) d).message());
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.RELAY_REPL);
        return (Dhcp6Message.ClientServer) reply.relayed();
    }

    private static List<Dhcp6Option> concat(List<Dhcp6Option> options, Dhcp6Option more) {
        List<Dhcp6Option> all = new java.util.ArrayList<>(options);
        all.add(more);
        return all;
    }
}
