package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.dhcp6.Captures6.*;

import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.lang.Ipv6;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Sighting;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCPv6 server mode's decision (RFC 8415 §18.3) on the captured EDK2 and iPXE messages (reference/ipv6):
 * the exchange each firmware needs, with the boot options reference/ipv6 measured to work, and the
 * bindings behind it.
 */
class ServerDhcp6Test {

    static final Inet6Address SERVER = address("fd42::1");
    static final Duid OURS = new Duid.LinkLayer(1, Opaque.hex("020000000001"));
    static final long T0 = 1_700_000_000_000L;
    static final AddressPool6 POOL = new AddressPool6(Optional.of("br0"), Ipv6.Network.parse("fd42::/64").orElseThrow(),
            address("fd42::100"), address("fd42::1ff"), 3600, 7200, List.of(address("fd42::53")), List.of("lab"),
            false);

    /** The machines in the config in force, as a map: the {@link Hosts6} a test changes at will. */
    static final class MemoryHosts implements Hosts6 {
        final Map<MacAddress, Host> hosts = new HashMap<>();

        @Override
        public Optional<Host> host(MacAddress mac) {
            return Optional.ofNullable(hosts.get(mac));
        }

        @Override
        public Optional<MacAddress> reservedFor(Inet6Address address) {
            return hosts.entrySet().stream().filter(e -> e.getValue().reserved().filter(address::equals).isPresent())
                    .map(Map.Entry::getKey).findFirst();
        }

        @Override
        public Map<Inet6Address, MacAddress> reservations() {
            Map<Inet6Address, MacAddress> all = new HashMap<>();
            hosts.forEach((mac, host) -> host.reserved().ifPresent(a -> all.put(a, mac)));
            return all;
        }
    }

    /** What discovery was told, as a list. */
    static final class SeenList implements Discoveries {
        final List<Sighting> seen = new ArrayList<>();

        @Override
        public void saw(Sighting sighting) {
            seen.add(sighting);
        }

        @Override
        public List<Discovered> discovered() {
            throw new UnsupportedOperationException("the decision only reports sightings");
        }

        @Override
        public long dropped() {
            return 0;
        }
    }

    @TempDir
    Path config;
    final MemoryHosts hosts = new MemoryHosts();
    final SeenList discoveries = new SeenList();
    ServerDhcp6 server;

    @BeforeEach
    void vmIsKnown() {
        hosts.hosts.put(BootConfig6.VM, new Hosts6.Host(Optional.empty(), Optional.empty()));
        server = server(POOL, List.of());
    }

    ServerDhcp6 server(AddressPool6 pool, List<Lease6> leases) {
        return new ServerDhcp6(List.of(pool), hosts, BootConfig6.planner(config, ""), BootOnly6.DuidBook.NONE, OURS,
                discoveries, leases);
    }

    ServerDhcp6.Outcome decide(Dhcp6Message m, long now) {
        return server.decide(m, CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP, Optional.of("br0"), now);
    }

    static Dhcp6Message.ClientServer answer(ServerDhcp6.Outcome outcome) {
        BootOnly6.Decision d = outcome.decision();
        return (Dhcp6Message.ClientServer) (d instanceof BootOnly6.Reply r ? r.message()
                : ((BootOnly6.Answered) d).message());
    }

    /** {@code m} as the client would send it to us: its SERVERID (dnsmasq's in the captures) is ours. */
    static Dhcp6Message.ClientServer toUs(Dhcp6Message.ClientServer m) {
        return new Dhcp6Message.ClientServer(m.type(), m.transactionId(), m.options().stream()
                .map(o -> o instanceof Dhcp6Option.ServerId ? new Dhcp6Option.ServerId(OURS) : o).toList());
    }

    /** {@code m} as another message type, its IA_NA holding {@code addresses}, SERVERID ours when {@code ours}. */
    static Dhcp6Message.ClientServer as(Dhcp6MessageType type, Dhcp6Message.ClientServer m, boolean ours,
                                        Inet6Address... addresses) {
        List<Dhcp6Option> options = new ArrayList<>();
        for (Dhcp6Option o : m.options()) {
            if (o instanceof Dhcp6Option.IaNa ia) {
                options.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0, List.of(addresses).stream()
                        .map(a -> (Dhcp6Option) new Dhcp6Option.IaAddress(a, 0, 0, List.of())).toList()));
            } else if (!(o instanceof Dhcp6Option.ServerId)) {
                options.add(o);
            }
        }
        if (ours) {
            options.add(new Dhcp6Option.ServerId(OURS));
        }
        return new Dhcp6Message.ClientServer(type, m.transactionId(), options);
    }

    static List<Inet6Address> addresses(Dhcp6Message m) {
        return m.options().stream().filter(Dhcp6Option.IaNa.class::isInstance)
                .flatMap(ia -> ((Dhcp6Option.IaNa) ia).addresses().stream()).map(Dhcp6Option.IaAddress::address)
                .toList();
    }

    static List<Integer> statuses(Dhcp6Message m) {
        List<Integer> all = new ArrayList<>();
        m.option(Dhcp6Option.StatusCode.class).ifPresent(s -> all.add(s.status()));
        m.options().stream().filter(Dhcp6Option.IaNa.class::isInstance)
                .flatMap(ia -> ((Dhcp6Option.IaNa) ia).options().stream())
                .filter(Dhcp6Option.StatusCode.class::isInstance)
                .forEach(s -> all.add(((Dhcp6Option.StatusCode) s).status()));
        return all;
    }

    @Test
    void edk2PxeSolicitIsAdvertisedAnAddressWithPreference255AndTheTftpUrlButNoPxeClient() {
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);
        ServerDhcp6.Outcome outcome = decide(solicit, T0);

        BootOnly6.Reply reply = (BootOnly6.Reply) outcome.decision();
        assertThat(reply.mac()).isEqualTo(BootConfig6.VM);
        Dhcp6Message.ClientServer advertise = answer(outcome);
        assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(advertise.transactionId()).isEqualTo(solicit.transactionId());
        assertThat(advertise.option(Dhcp6Option.ServerId.class).orElseThrow().duid()).isEqualTo(OURS);
        assertThat(advertise.option(Dhcp6Option.ClientId.class)).isEqualTo(solicit.option(Dhcp6Option.ClientId.class));
        Dhcp6Option.IaNa ia = advertise.option(Dhcp6Option.IaNa.class).orElseThrow();
        assertThat(ia.iaid()).isEqualTo(solicit.option(Dhcp6Option.IaNa.class).orElseThrow().iaid());
        assertThat(ia.t1()).isEqualTo(1800);
        assertThat(ia.t2()).isEqualTo(2880);
        assertThat(ia.addresses()).containsExactly(new Dhcp6Option.IaAddress(address("fd42::100"), 3600, 7200,
                List.of()));
        assertThat(advertise.option(Dhcp6Option.Preference.class)).contains(new Dhcp6Option.Preference(255));
        assertThat(advertise.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                .isEqualTo("tftp://[fd42::1]/ipxe.efi");
        // 16 = PXEClient would send EDK2 to UDP 4011 (pxe6-binl); ORO [59,60,23,16] asks 23: fd42::53.
        assertThat(advertise.option(Dhcp6Option.VendorClass.class)).isEmpty();
        assertThat(advertise.option(Dhcp6Option.DnsServers.class).orElseThrow().servers())
                .containsExactly(address("fd42::53"));
        assertThat(outcome.leases()).isEmpty();
        assertThat(Dhcp6Codec.encode(advertise)).isNotEmpty();
    }

    @Test
    void edk2PxeRequestBindsTheAdvertisedAddressBeforeTheReplyAndTheReplyCarries59() {
        decide(message(EDK2_PXE_SOLICIT), T0);
        Dhcp6Message.ClientServer request = toUs(message(EDK2_PXE_REQUEST));
        ServerDhcp6.Outcome outcome = decide(request, T0 + 10);

        Dhcp6Message.ClientServer reply = answer(outcome);
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(reply.transactionId()).isEqualTo(request.transactionId());
        assertThat(addresses(reply)).containsExactly(address("fd42::100"));
        assertThat(reply.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url()).isEqualTo("tftp://[fd42::1]/ipxe.efi");
        assertThat(reply.option(Dhcp6Option.Preference.class)).isEmpty();
        Duid edk2 = request.option(Dhcp6Option.ClientId.class).orElseThrow().duid();
        long iaid = request.option(Dhcp6Option.IaNa.class).orElseThrow().iaid();
        assertThat(outcome.leases()).containsExactly(new Lease6(address("fd42::100"),
                Optional.of(new Lease6.Holder(edk2, iaid, Optional.of(BootConfig6.VM))), T0 + 10 + 7_200_000));
        assertThat(server.leases()).isEqualTo(outcome.leases());
    }

    @Test
    void aRequestForAnotherServerOrASolicitNamingAServerIsNotAnswered() {
        assertThat(decide(message(EDK2_PXE_REQUEST), T0).decision()).isInstanceOf(BootOnly6.Silent.class);
        assertThat(decide(as(Dhcp6MessageType.SOLICIT, message(EDK2_PXE_SOLICIT), true), T0).decision())
                .isInstanceOf(BootOnly6.Silent.class);
    }

    @Test
    void ipxeGetsTheHttpScriptUrlFromTheServerThatLeasesItsAddress() {
        ServerDhcp6.Outcome advertised = decide(message(IPXE_SOLICIT), T0);
        assertThat(answer(advertised).option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                .startsWith("http://[fd42::1]:8080/");
        Dhcp6Message.ClientServer reply = answer(decide(toUs(message(IPXE_REQUEST)), T0 + 1));
        assertThat(addresses(reply)).containsExactly(address("fd42::100"));
        assertThat(reply.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url()).startsWith("http://[fd42::1]:8080/");
        // iPXE's ORO [23,24,59,60]: the pool's DNS server and search list.
        assertThat(reply.option(Dhcp6Option.DomainList.class).orElseThrow().domains()).containsExactly("lab");
    }

    @Test
    void edk2HttpBootGetsHttpClientAndTheHttpUrl() {
        Dhcp6Message.ClientServer advertise = answer(decide(message(EDK2_HTTP_SOLICIT), T0));
        assertThat(advertise.option(Dhcp6Option.VendorClass.class).orElseThrow())
                .isEqualTo(new Dhcp6Option.VendorClass(343, List.of(Opaque.ascii("HTTPClient"))));
        assertThat(advertise.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url()).startsWith("http://[fd42::1]:8080/");
        assertThat(addresses(advertise)).containsExactly(address("fd42::100"));
    }

    @Test
    void edk2AutoconfigClientGetsAnAddressOnly() {
        ServerDhcp6.Outcome outcome = decide(message(EDK2_AUTOCONFIG_SOLICIT), T0);
        BootOnly6.Answered answered = (BootOnly6.Answered) outcome.decision();
        assertThat(answered.mac()).contains(BootConfig6.VM);
        assertThat(addresses(answer(outcome))).containsExactly(address("fd42::100"));
        assertThat(answer(outcome).option(Dhcp6Option.BootfileUrl.class)).isEmpty();
    }

    /** As DHCPv4 server mode's DISCOVERs: a boot client's SOLICIT from a MAC no file names is discovered. */
    @Test
    void anUnknownMachinesBootSolicitIsDiscoveredWithItsSmbiosUuid() {
        MacAddress unknown = MacAddress.parse("52:54:00:12:34:57");
        server.decide(message(EDK2_PXE_SOLICIT), address("fe80::5054:ff:fe12:3457"), SERVER, BootOnly6.Listener.DHCP,
                Optional.of("br0"), T0);
        server.decide(message(EDK2_AUTOCONFIG_SOLICIT), address("fe80::5054:ff:fe12:3457"), SERVER,
                BootOnly6.Listener.DHCP, Optional.of("br0"), T0);
        decide(message(EDK2_PXE_SOLICIT), T0);
        assertThat(discoveries.seen).singleElement().satisfies(s -> {
            assertThat(s.mac()).isEqualTo(unknown);
            assertThat(s.arch()).contains("7");
            // EDK2's DUID-UUID: the SMBIOS UUID 12345678-9abc-def0-… in EFI_GUID byte order (reference/ipv6).
            assertThat(s.uuid()).contains("78563412-bc9a-f0de-0123-456789abcdef");
            assertThat(s.vendorClass()).startsWith("PXEClient:Arch:00007");
            assertThat(s.via()).isEqualTo("interface br0");
        });
    }

    @Test
    void aMachineWithoutAFileGetsNothingUnlessThePoolServesUnknownMachines() {
        hosts.hosts.clear();
        assertThat(decide(message(EDK2_PXE_SOLICIT), T0).decision()).isInstanceOf(BootOnly6.Silent.class);
        server = server(new AddressPool6(Optional.of("br0"), POOL.prefix(), POOL.first(), POOL.last(), 3600, 7200, List.of(),
                List.of(), true), List.of());
        ServerDhcp6.Outcome outcome = decide(message(EDK2_AUTOCONFIG_SOLICIT), T0);
        assertThat(addresses(answer(outcome))).containsExactly(address("fd42::100"));
    }
}
