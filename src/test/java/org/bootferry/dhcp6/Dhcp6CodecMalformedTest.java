package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bootferry.dhcp6.Captures6.*;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.bootferry.dhcp6.Dhcp6Option.BootfileParam;
import org.bootferry.dhcp6.Dhcp6Option.ClientLinkLayerAddress;
import org.bootferry.dhcp6.Dhcp6Option.InterfaceId;
import org.bootferry.dhcp6.Dhcp6Option.RelayMessage;
import org.junit.jupiter.api.Test;

/** Relay messages (RFC 8415 §9) round trip; every malformed datagram is refused with where it breaks. */
class Dhcp6CodecMalformedTest {

    private static Dhcp6Message.Relay relayForward(Dhcp6Message inner, int hops, List<Dhcp6Option> more) {
        List<Dhcp6Option> options = new java.util.ArrayList<>(more);
        options.add(new RelayMessage(inner));
        return new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, hops, address("2001:db8:1::1"),
                CLIENT_LINK_LOCAL, options);
    }

    private static void refused(String hex, String... messageParts) {
        assertThatThrownBy(() -> Dhcp6Codec.decode(HexFormat.of().parseHex(hex)))
                .as(hex).isInstanceOf(MalformedDhcp6Exception.class)
                .message().contains(messageParts);
    }

    @Test
    void aRelayedSolicitWithInterfaceIdAndClientLinkLayerAddressRoundTrips() throws Exception {
        Dhcp6Message.Relay relay = relayForward(message(EDK2_PXE_SOLICIT), 0, List.of(
                new InterfaceId(Opaque.ascii("eth0.42")),
                new ClientLinkLayerAddress(1, Opaque.hex("525400123456"))));
        Dhcp6Message.Relay twice = relayForward(relay, 1, List.of());
        for (Dhcp6Message m : List.of(relay, twice)) {
            byte[] wire = Dhcp6Codec.encode(m);
            assertThat(Dhcp6Codec.decode(wire)).isEqualTo(m);
            assertThat(Dhcp6Codec.encode(Dhcp6Codec.decode(wire))).isEqualTo(wire);
        }
        byte[] wire = Dhcp6Codec.encode(relay);
        assertThat(wire[0]).isEqualTo((byte) 12);
        // §9: msg-type, hop-count, 16-byte link-address, 16-byte peer-address, then options.
        assertThat(Arrays.copyOfRange(wire, 18, 34)).isEqualTo(CLIENT_LINK_LOCAL.getAddress());
        assertThat(((Dhcp6Message.Relay) Dhcp6Codec.decode(wire)).relayed()).isEqualTo(message(EDK2_PXE_SOLICIT));

        Dhcp6Message.Relay reply = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_REPL, 0, address("2001:db8:1::1"),
                CLIENT_LINK_LOCAL, List.of(new InterfaceId(Opaque.ascii("eth0.42")),
                        new RelayMessage(message(DNSMASQ_PXE_ADVERTISE))));
        assertThat(Dhcp6Codec.decode(Dhcp6Codec.encode(reply))).isEqualTo(reply);
    }

    @Test
    void bootfileParametersAndUnknownOptionsRoundTrip() throws Exception {
        Dhcp6Message m = new Dhcp6Message.ClientServer(Dhcp6MessageType.REPLY, 0x123456, List.of(
                new BootfileParam(List.of("console=ttyS0", "é")),
                new Dhcp6Option.Unknown(21, Opaque.hex("fd420000000000000000000000000001")),
                new Dhcp6Option.DnsServers(List.of(CLIENT_LINK_LOCAL, Captures6.address("fd42::53"))),
                new Dhcp6Option.DomainList(List.of("lab", "example.org")),
                new Dhcp6Option.RapidCommit(),
                new Dhcp6Option.ClientId(new Duid.Enterprise(343, Opaque.hex("0102"))),
                new Dhcp6Option.ServerId(new Duid.Other(9, Opaque.hex("aa")))));
        assertThat(Dhcp6Codec.decode(Dhcp6Codec.encode(m))).isEqualTo(m);
    }

    @Test
    void dnsOptionsAreRfc3646s() throws Exception {
        Dhcp6Message m = new Dhcp6Message.ClientServer(Dhcp6MessageType.REPLY, 1, List.of(
                new Dhcp6Option.DomainList(List.of("lab", "example.org"))));
        // RFC 1035 §3.1 labels, each name ending in the root's 0 (RFC 3646 §4: not compressed).
        assertThat(java.util.HexFormat.of().formatHex(Dhcp6Codec.encode(m)))
                .isEqualTo("07000001" + "00180012" + "036c616200" + "076578616d706c65036f726700");
        refused("07000001" + "0017000f" + "fd4200000000000000000000000000", "not a multiple of 16");
        refused("07000001" + "00180004" + "036c6162", "does not end in the root label");
        refused("07000001" + "00180002" + "c00c", "a compression pointer");
    }

    @Test
    void headersThatAreNotDhcpv6AreRefused() {
        refused("", "DHCPv6 message: msg-type needs 1 bytes but only 0 remain");
        refused("0112", "transaction-id needs 3 bytes but only 1 remain");
        refused("00123456", "msg-type 0 is not a DHCPv6 message type");
        refused("0e123456", "msg-type 14 is not a DHCPv6 message type");
        refused("0c00" + "00".repeat(10), "link-address needs 16 bytes but only 10 remain");
        refused("0c00" + "00".repeat(32), "RELAY-FORW without RELAY_MSG (9)");
    }

    @Test
    void optionsThatBreakTheirFormatAreRefused() {
        refused("01123456" + "00", "an option at byte 4 needs a 2-byte code and a 2-byte length, only 1 bytes remain");
        refused("01123456" + "0001", "an option at byte 4 needs a 2-byte code and a 2-byte length, only 2 bytes remain");
        refused("01123456" + "00080004" + "0000", "option 8 (ELAPSED_TIME) at byte 4: claims 4 bytes but only 2 remain");
        refused("01123456" + "00070002" + "ff00", "option 7 (PREFERENCE) at byte 4: 1 bytes left over");
        refused("01123456" + "00030008" + "0000000100000002", "option 3 (IA_NA) at byte 4: T2 needs 4 bytes");
        refused("01123456" + "00030010" + "000000010000000200000003" + "00050000",
                "option 5 (IAADDR) at byte 20: IPv6-address needs 16 bytes");
        refused("01123456" + "00060003" + "001700", "option 6 (ORO) at byte 4: a list of 16-bit requested-option-codes has an odd length");
        refused("01123456" + "00010002" + "0004", "a DUID is a 2-byte type and 1 to 128 bytes");
        refused("01123456" + "00010083" + "0002" + "00".repeat(129), "got 131 bytes");
        refused("01123456" + "00010005" + "0004010203", "a DUID-UUID holds 16 bytes (RFC 6355 §4), got 3");
        refused("01123456" + "003b0000", "option 59 (BOOTFILE_URL) at byte 4: an empty boot file URL");
        refused("01123456" + "003b0002" + "c3a9", "bad bytes in the URL");
        refused("01123456" + "000d0003" + "0000ff", "bad bytes in status-message (not UTF-8)");
        refused("01123456" + "000f0003" + "000541", "user-class-data item 1 claims 5 bytes but only 1 remain");
        refused("01123456" + "003c0003" + "000261", "option 60 (BOOTFILE_PARAM) at byte 4: parameter 1 claims 2 bytes but only 1 remain");
        refused("01123456" + "003e0002" + "0103", "option 62 (NII) at byte 4: minor needs 1 bytes");
        refused("01123456" + "003d0001" + "07", "architecture-types has an odd length");
    }

    @Test
    void relaysNestedDeeperThanTheLimitAreRefused() {
        Dhcp6Message m = message(EDK2_AUTOCONFIG_SOLICIT);
        for (int i = 0; i < Dhcp6Codec.MAX_DEPTH + 1; i++) {
            m = relayForward(m, 0, List.of());
        }
        byte[] wire = Dhcp6Codec.encode(m);
        assertThatThrownBy(() -> Dhcp6Codec.decode(wire)).isInstanceOf(MalformedDhcp6Exception.class)
                .hasMessageContaining("nested deeper than " + Dhcp6Codec.MAX_DEPTH);
    }

    @Test
    void addressesNestedInAddressesDeeperThanTheLimitAreRefused() {
        String option = "";
        for (int i = 0; i <= Dhcp6Codec.MAX_DEPTH; i++) {
            String value = "fd42" + "00".repeat(13) + "01" + "00000e10" + "00000e10" + option;
            option = String.format("0005%04x", value.length() / 2) + value;
        }
        refused("07123456" + option, "nested deeper than " + Dhcp6Codec.MAX_DEPTH);
    }

    /**
     * Every prefix of every capture, and every capture with any one byte set to 0x00, 0x7f or 0xff:
     * decoded or refused with {@link MalformedDhcp6Exception}, never another exception.
     */
    @Test
    void cutOrChangedCapturesAreDecodedOrRefusedNeverCrash() throws Exception {
        int refused = 0;
        int decoded = 0;
        for (String name : WELL_FORMED) {
            byte[] wire = bytes(name);
            for (int length = 0; length < wire.length; length++) {
                if (decodesOrRefuses(Arrays.copyOf(wire, length))) {
                    decoded++;
                } else {
                    refused++;
                }
            }
            for (int i = 0; i < wire.length; i++) {
                for (byte b : new byte[] {0, 0x7f, (byte) 0xff}) {
                    byte[] changed = wire.clone();
                    changed[i] = b;
                    if (decodesOrRefuses(changed)) {
                        decoded++;
                    } else {
                        refused++;
                    }
                }
            }
        }
        assertThat(refused).isPositive();
        assertThat(decoded).isPositive();
    }

    /** True when decoded (and then encodes to a message that decodes the same), false when refused. */
    private static boolean decodesOrRefuses(byte[] datagram) throws MalformedDhcp6Exception {
        Dhcp6Message m;
        try {
            m = Dhcp6Codec.decode(datagram);
        } catch (MalformedDhcp6Exception e) {
            assertThat(e.getMessage()).isNotBlank();
            return false;
        }
        assertThat(Dhcp6Codec.decode(Dhcp6Codec.encode(m))).isEqualTo(m);
        return true;
    }
}
