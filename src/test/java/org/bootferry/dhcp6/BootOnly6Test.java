package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.dhcp6.Captures6.*;

import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot-only decision on the captured messages: who the machine is, what it is told, and when nothing. */
class BootOnly6Test {

    private static final Inet6Address SERVER = address("fd42::1");
    /** A source with no MAC in it: EDK2's autoconfig lease, or a stable-privacy address. */
    private static final Inet6Address NO_EUI64 = EDK2_4011_SOURCE;
    private static final Duid OURS = new Duid.LinkLayer(1, Opaque.hex("020000000001"));

    @TempDir
    Path config;

    private BootOnly6 decision(String machineFileExtra, BootOnly6.DuidBook duids) {
        return new BootOnly6(BootConfig6.planner(config, machineFileExtra), duids, OURS);
    }

    @Test
    void edk2PxeSolicitFromItsEui64AddressGetsTftpUrlAndPxeClient() {
        BootOnly6.Decision d = decision("", BootOnly6.DuidBook.NONE).decide(message(EDK2_PXE_SOLICIT),
                CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP);

        BootOnly6.Reply reply = (BootOnly6.Reply) d;
        assertThat(reply.mac()).isEqualTo(BootConfig6.VM);
        assertThat(reply.bootFileUrl()).isEqualTo("tftp://[fd42::1]/ipxe.efi");
        Dhcp6Message.ClientServer advertise = (Dhcp6Message.ClientServer) reply.message();
        assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(advertise.option(Dhcp6Option.ServerId.class).orElseThrow().duid()).isEqualTo(OURS);
    }

    @Test
    void httpBootGetsTheHttpUrlOfThePlanWithTheServerBracketed() {
        BootOnly6.Decision d = decision("", BootOnly6.DuidBook.NONE).decide(
                message(EDK2_HTTP_SOLICIT), CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP);
        assertThat(d).isInstanceOf(BootOnly6.Reply.class);
        BootOnly6.Reply reply = (BootOnly6.Reply) d;

        assertThat(reply.bootFileUrl()).startsWith("http://[fd42::1]:8080/");
        assertThat(((Dhcp6Message.ClientServer) reply.message()).option(Dhcp6Option.VendorClass.class).orElseThrow()
                .data()).containsExactly(Opaque.ascii("HTTPClient"));
    }

    @Test
    void aClientThatShowsNoMacIsUnidentifiedWithItsDuidToPasteIntoAMachineFile() {
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);
        Duid clientId = solicit.option(Dhcp6Option.ClientId.class).orElseThrow().duid();

        BootOnly6.Decision d = decision("", BootOnly6.DuidBook.NONE).decide(solicit, NO_EUI64, SERVER,
                BootOnly6.Listener.DHCP);

        BootOnly6.Unidentified u = (BootOnly6.Unidentified) d;
        assertThat(u.clientId()).isEqualTo(clientId);
        // EDK2's DUID-UUID of -uuid 12345678-9abc-def0-0123-456789abcdef, in EFI_GUID byte order.
        assertThat(BootOnly6.hex(clientId)).isEqualTo("000478563412bc9af0de0123456789abcdef");
        assertThat(u.why()).contains("not through a relay agent", "fd42::18b", "DUID-UUID",
                "duid: 000478563412bc9af0de0123456789abcdef");
    }

    /**
     * A client on a boot link with no MAC in its message is not given up before the neighbour table
     * is asked; what the table says decides: its entry names the machine, no entry leaves it
     * unidentified with every way tried listed.
     */
    @Test
    void aClientOnTheLinkIsLookedUpInTheNeighbourTableBeforeItIsGivenUp() {
        BootOnly6 d = decision("", BootOnly6.DuidBook.NONE);
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);

        BootOnly6.Unidentified ask = (BootOnly6.Unidentified) d.decide(solicit, NO_EUI64, SERVER,
                BootOnly6.Listener.DHCP);
        assertThat(ask.askNeighbours()).isTrue();

        BootOnly6.Decision found = d.decide(solicit, NO_EUI64, SERVER, BootOnly6.Listener.DHCP,
                BootOnly6.Neighbour.of(Optional.of(BootConfig6.VM)));
        assertThat(((BootOnly6.Reply) found).mac()).isEqualTo(BootConfig6.VM);

        BootOnly6.Unidentified missed = (BootOnly6.Unidentified) decision("", BootOnly6.DuidBook.NONE).decide(
                solicit, NO_EUI64, SERVER, BootOnly6.Listener.DHCP, BootOnly6.Neighbour.of(Optional.empty()));
        assertThat(missed.askNeighbours()).isFalse();
        assertThat(missed.duidType()).isEqualTo("DUID-UUID (type 4)");
        assertThat(missed.tried()).hasSize(ClientMac.Source.values().length);
        for (int i = 0; i < missed.tried().size(); i++) {
            assertThat(missed.tried().get(i)).startsWith(ClientMac.Source.values()[i].description() + ": ");
        }
        assertThat(missed.tried().get(5)).contains("no MAC for fd42::18b");
    }

    @Test
    void aRelayedClientIsNotLookedUpInTheNeighbourTable() {
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, address("fd43::fe"),
                NO_EUI64, List.of(new Dhcp6Option.RelayMessage(message(EDK2_PXE_SOLICIT))));

        BootOnly6.Unidentified u = (BootOnly6.Unidentified) decision("", BootOnly6.DuidBook.NONE).decide(forward,
                address("fd43::fe"), SERVER, BootOnly6.Listener.DHCP);

        assertThat(u.askNeighbours()).isFalse();
        assertThat(u.tried()).last().asString().contains("not asked, the client is behind a relay agent");
    }

    @Test
    void aMachineFilesDuidNamesTheMachine() {
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);
        Duid clientId = solicit.option(Dhcp6Option.ClientId.class).orElseThrow().duid();
        BootOnly6.DuidBook book = duid -> duid.equals(clientId) ? Optional.of(BootConfig6.VM) : Optional.empty();

        BootOnly6.Decision d = decision("", book).decide(solicit, NO_EUI64, SERVER, BootOnly6.Listener.DHCP);

        assertThat(((BootOnly6.Reply) d).mac()).isEqualTo(BootConfig6.VM);
    }

    @Test
    void nestedRelaysAreUnwrappedAndEachAnsweredWithItsOwnHeaderAndInterfaceId() {
        Dhcp6Option.InterfaceId first = new Dhcp6Option.InterfaceId(Opaque.ascii("port-7"));
        Dhcp6Option.InterfaceId second = new Dhcp6Option.InterfaceId(Opaque.ascii("uplink"));
        Dhcp6Message.Relay inner = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, address("fd42::fe"),
                CLIENT_LINK_LOCAL, List.of(first, new Dhcp6Option.RelayMessage(message(EDK2_PXE_SOLICIT))));
        Dhcp6Message.Relay outer = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 1, address("fd43::fe"),
                address("fd43::7"), List.of(second, new Dhcp6Option.RelayMessage(inner)));

        BootOnly6.Reply reply = (BootOnly6.Reply) decision("", BootOnly6.DuidBook.NONE).decide(outer,
                address("fd43::7"), SERVER, BootOnly6.Listener.DHCP);

        Dhcp6Message.Relay outerReply = (Dhcp6Message.Relay) reply.message();
        assertThat(outerReply.type()).isEqualTo(Dhcp6MessageType.RELAY_REPL);
        assertThat(outerReply.hopCount()).isEqualTo(1);
        assertThat(outerReply.peerAddress()).isEqualTo(address("fd43::7"));
        assertThat(outerReply.option(Dhcp6Option.InterfaceId.class)).contains(second);
        Dhcp6Message.Relay innerReply = (Dhcp6Message.Relay) outerReply.relayed();
        assertThat(innerReply.peerAddress()).isEqualTo(CLIENT_LINK_LOCAL);
        assertThat(innerReply.option(Dhcp6Option.InterfaceId.class)).contains(first);
        assertThat(innerReply.relayed().type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(reply.mac()).isEqualTo(BootConfig6.VM);
    }

    @Test
    void whatIsNotABootExchangeForUsGetsNothing() {
        BootOnly6 d = decision("", BootOnly6.DuidBook.NONE);

        assertThat(d.decide(message(IPXE_SOLICIT), CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP))
                .isInstanceOf(BootOnly6.Silent.class)
                .extracting(s -> ((BootOnly6.Silent) s).reason()).asString().contains("iPXE");
        assertThat(d.decide(message(EDK2_AUTOCONFIG_SOLICIT), CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP))
                .isInstanceOf(BootOnly6.Silent.class);
        // A REQUEST for the site's server, on 547.
        assertThat(d.decide(message(EDK2_PXE_REQUEST), CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP))
                .extracting(s -> ((BootOnly6.Silent) s).reason()).asString().contains("another server");
        assertThat(d.decide(message(EDK2_PXE_SOLICIT), CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.PXE))
                .extracting(s -> ((BootOnly6.Silent) s).reason()).asString().contains("PXE port");
        assertThat(d.decide(message(BOOTONLY_PXE_ADVERTISE), CLIENT_LINK_LOCAL, SERVER, BootOnly6.Listener.DHCP))
                .isInstanceOf(BootOnly6.Silent.class);
    }

    @Test
    void anUnknownMachineIsLeftToOthers() {
        BootOnly6.Decision d = decision("", BootOnly6.DuidBook.NONE).decide(message(EDK2_PXE_SOLICIT),
                address("fe80::5054:ff:fe99:9999"), SERVER, BootOnly6.Listener.DHCP);

        assertThat(((BootOnly6.Silent) d).reason()).contains("no boot for 52:54:00:99:99:99");
    }
}
