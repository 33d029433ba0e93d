package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.dhcp6.Captures6.*;

import java.util.List;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class ClientMacTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final java.net.Inet6Address PRIVACY = address("fe80::1c2d:3e4f:5a6b:7c8d");
    private static final java.net.Inet6Address RELAY_LINK = address("2001:db8:1::1");

    private static Dhcp6Message.Relay relayed(Dhcp6Message inner, java.net.Inet6Address peer, Dhcp6Option... more) {
        List<Dhcp6Option> options = new java.util.ArrayList<>(List.of(more));
        options.add(new Dhcp6Option.RelayMessage(inner));
        return new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, RELAY_LINK, peer, options);
    }

    private static Dhcp6Message.ClientServer withClientId(String name, Duid duid) {
        Dhcp6Message.ClientServer m = message(name);
        List<Dhcp6Option> options = new java.util.ArrayList<>(m.options());
        options.replaceAll(o -> o instanceof Dhcp6Option.ClientId ? new Dhcp6Option.ClientId(duid) : o);
        return new Dhcp6Message.ClientServer(m.type(), m.transactionId(), options);
    }

    private static String unknown(ClientMac mac) {
        assertThat(mac).isInstanceOf(ClientMac.Unknown.class);
        return ((ClientMac.Unknown) mac).why();
    }

    @Test
    void edk2AndIpxeAreKnownByTheirEui64LinkLocalSourceThoughTheyHideTheMacInDuidUuid() {
        for (String name : List.of(EDK2_AUTOCONFIG_SOLICIT, EDK2_PXE_SOLICIT, EDK2_HTTP_SOLICIT, IPXE_SOLICIT,
                IPXE_REQUEST)) {
            assertThat(ClientMac.of(message(name), CLIENT_LINK_LOCAL)).as(name)
                    .isEqualTo(new ClientMac.Known(VM, ClientMac.Source.EUI64_SOURCE));
        }
        assertThat(new ClientMac.Known(VM, ClientMac.Source.EUI64_SOURCE).explanation())
                .isEqualTo("52:54:00:12:34:56, from the client's EUI-64 link-local address");
    }

    @Test
    void edk2s4011RequestFromItsLeasedAddressNamesNoMachineAndSaysWhy() {
        ClientMac found = ClientMac.of(message(EDK2_BINL_REQUEST_4011), EDK2_4011_SOURCE);
        assertThat(((ClientMac.Unknown) found).tried()).containsExactly(
                "the relay agent's option 79 (RFC 6939): none, it came straight to us, not through a relay agent",
                "the client's EUI-64 link-local address: fd42::18b is not link-local, so its interface"
                        + " identifier need not come from the MAC",
                "the client's DUID (a DUID-LL or DUID-LLT): a DUID-UUID (type 4), which holds no Ethernet MAC");
        assertThat(unknown(found)).startsWith("cannot tell which machine this is: the relay agent's option 79");
    }

    @Test
    void aPrivacyAddressWithDuidUuidOrDuidEnNamesNoMachine() {
        assertThat(unknown(ClientMac.of(message(IPXE_SOLICIT), PRIVACY)))
                .contains("fe80::1c2d:3e4f:5a6b:7c8d has no EUI-64 interface identifier")
                .contains("DUID-UUID (type 4)");
        assertThat(unknown(ClientMac.of(withClientId(IPXE_SOLICIT, new Duid.Enterprise(343, Opaque.hex("0102"))),
                PRIVACY))).contains("DUID-LLT): a DUID-EN (enterprise 343), which holds no Ethernet MAC");
    }

    @Test
    void aDuidLlOrLltOfEthernetNamesTheMachineWhenTheAddressDoesNot() {
        MacAddress other = MacAddress.parse("52:54:00:ab:cd:ef");
        assertThat(ClientMac.of(withClientId(IPXE_SOLICIT, new Duid.LinkLayer(1, Opaque.hex("525400abcdef"))), PRIVACY))
                .isEqualTo(new ClientMac.Known(other, ClientMac.Source.DUID));
        assertThat(ClientMac.of(withClientId(IPXE_SOLICIT,
                new Duid.LinkLayerTime(1, 849639038L, Opaque.hex("525400abcdef"))), PRIVACY))
                .isEqualTo(new ClientMac.Known(other, ClientMac.Source.DUID));
        // Hardware type 6 (IEEE 802) is not taken for Ethernet.
        assertThat(unknown(ClientMac.of(withClientId(IPXE_SOLICIT, new Duid.LinkLayer(6, Opaque.hex("525400abcdef"))),
                PRIVACY))).contains("DUID-LL of hardware type 6");
    }

    @Test
    void behindARelayOption79WinsThenTheInnermostPeerAddress() {
        MacAddress relayed = MacAddress.parse("52:54:00:99:88:77");
        Dhcp6Message.Relay with79 = relayed(message(EDK2_PXE_SOLICIT), PRIVACY,
                new Dhcp6Option.ClientLinkLayerAddress(1, Opaque.hex("525400998877")));
        assertThat(ClientMac.of(relayed(with79, address("fe80::1")), RELAY_LINK))
                .isEqualTo(new ClientMac.Known(relayed, ClientMac.Source.RELAY_OPTION_79));

        Dhcp6Message.Relay without79 = relayed(message(EDK2_PXE_SOLICIT), CLIENT_LINK_LOCAL);
        assertThat(ClientMac.of(relayed(without79, address("fe80::1")), RELAY_LINK))
                .isEqualTo(new ClientMac.Known(VM, ClientMac.Source.EUI64_SOURCE));

        Dhcp6Message.Relay odd79 = relayed(message(EDK2_PXE_SOLICIT), PRIVACY,
                new Dhcp6Option.ClientLinkLayerAddress(32, Opaque.hex("0102030405060708")));
        assertThat(unknown(ClientMac.of(odd79, RELAY_LINK)))
                .contains("option 79 (RFC 6939): link-layer type 32 and 8 bytes, not an Ethernet MAC");
        assertThat(unknown(ClientMac.of(relayed(message(EDK2_PXE_SOLICIT), PRIVACY), RELAY_LINK)))
                .contains("option 79 (RFC 6939): the relay agent sent none");
    }

    @Test
    void eui64DropsFffeAndFlipsTheUniversalLocalBit() {
        assertThat(ClientMac.eui64Mac(address("fe80::ff:fe00:1"))).contains(MacAddress.parse("02:00:00:00:00:01"));
        assertThat(ClientMac.eui64Mac(CLIENT_LINK_LOCAL)).contains(VM);
        assertThat(ClientMac.eui64Mac(address("fd42::5054:ff:fe12:3456"))).isEmpty();
        // 03:… would be a group MAC: no card sends from it.
        assertThat(ClientMac.eui64Mac(address("fe80::100:ff:fe00:1"))).isEmpty();
    }
}
