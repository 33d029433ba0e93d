package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * Which machine sent a DHCPv6 message: its Ethernet MAC, or why it cannot be told. DHCPv6 has no
 * chaddr; the MAC must come from somewhere else, tried in this order:
 * <ol>
 *   <li>relay option 79 (RFC 6939 §4): the first relay agent copies the client's link-layer source;
 *   <li>the client's source address, when it is a link-local address with a modified EUI-64
 *       interface identifier (RFC 4291 §2.5.1 and Appendix A): EDK2, iPXE and Linux all use one
 *       (fe80::5054:ff:fe12:3456 for 52:54:00:12:34:56, reference/ipv6/README.md). Through relays,
 *       the source is the innermost relay's peer-address (RFC 8415 §9);
 *   <li>a DUID-LL or DUID-LLT of hardware type 1 (RFC 8415 §11.2, §11.4), last because it may
 *       name another interface of the machine than the one that boots.
 * </ol>
 * EDK2 and iPXE send DUID-UUID, so a client behind a relay without option 79 that uses a privacy
 * or stable-privacy address (RFC 8981, RFC 7217) has no MAC at all: {@link Unknown} says so.
 */
public sealed interface ClientMac {

    /** How the MAC was found, worded for {@code explain} and the status page. */
    enum Source {
        RELAY_OPTION_79("the relay agent's option 79 (RFC 6939)"),
        EUI64_SOURCE("the client's EUI-64 link-local address"),
        DUID("the client's DUID");

        private final String description;

        Source(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    record Known(MacAddress mac, Source source) implements ClientMac {
        /** For {@code explain} and the status page: "52:54:00:12:34:56, from the client's …". */
        public String explanation() {
            return mac + ", from " + source.description();
        }
    }

    /** No MAC: {@code why} lists each place looked at and what it held. */
    record Unknown(String why) implements ClientMac {
    }

    /**
     * The MAC of the client behind {@code received}, which came from {@code source} (the UDP
     * packet's IPv6 source address): a client message, or a RELAY-FORW wrapping one.
     */
    static ClientMac of(Dhcp6Message received, Inet6Address source) {
        List<String> tried = new ArrayList<>();
        Dhcp6Message client = received;
        Inet6Address clientAddress = source;
        Optional<Dhcp6Option.ClientLinkLayerAddress> linkLayer = Optional.empty();
        while (client instanceof Dhcp6Message.Relay relay) {
            // The innermost relay is the first hop: its peer-address is the client's address and
            // only it can see the client's link-layer address (RFC 6939 §4).
            clientAddress = relay.peerAddress();
            linkLayer = relay.option(Dhcp6Option.ClientLinkLayerAddress.class);
            client = relay.relayed();
        }
        if (linkLayer.isPresent()) {
            Dhcp6Option.ClientLinkLayerAddress l = linkLayer.get();
            if (l.hardwareType() == Duid.HARDWARE_ETHERNET && l.address().length() == 6) {
                return new Known(MacAddress.of(l.address().bytes(), 0), Source.RELAY_OPTION_79);
            }
            tried.add("the relay agent's option 79 has link-layer type " + l.hardwareType() + " and "
                    + l.address().length() + " bytes, not an Ethernet MAC");
        } else if (received instanceof Dhcp6Message.Relay) {
            tried.add("the relay agent sent no option 79 (RFC 6939)");
        } else {
            tried.add("it came straight to us, not through a relay agent that could add option 79 (RFC 6939)");
        }

        Optional<MacAddress> eui64 = eui64Mac(clientAddress);
        if (eui64.isPresent()) {
            return new Known(eui64.get(), Source.EUI64_SOURCE);
        }
        tried.add("its address " + clientAddress.getHostAddress() + (clientAddress.isLinkLocalAddress()
                ? " has no EUI-64 interface identifier (ff:fe in the middle): a random or stable-privacy"
                        + " address (RFC 8981, RFC 7217)"
                : " is not link-local, so its interface identifier need not come from the MAC"));

        Optional<Dhcp6Option.ClientId> clientId = client.option(Dhcp6Option.ClientId.class);
        if (clientId.isEmpty()) {
            tried.add("it sent no client DUID");
        } else {
            Duid duid = clientId.get().duid();
            Optional<MacAddress> fromDuid = duid.mac();
            if (fromDuid.isPresent()) {
                return new Known(fromDuid.get(), Source.DUID);
            }
            tried.add("its DUID is " + describe(duid) + ", which holds no Ethernet MAC");
        }
        return new Unknown("cannot tell which machine this is: " + String.join("; ", tried));
    }

    /**
     * The MAC inside a link-local address's modified EUI-64 interface identifier (RFC 4291
     * Appendix A): bytes 11 and 12 are ff:fe; drop them and flip the universal/local bit (0x02).
     */
    static Optional<MacAddress> eui64Mac(Inet6Address address) {
        byte[] a = address.getAddress();
        if (!address.isLinkLocalAddress() || a[11] != (byte) 0xff || a[12] != (byte) 0xfe) {
            return Optional.empty();
        }
        byte[] mac = {(byte) (a[8] ^ 0x02), a[9], a[10], a[13], a[14], a[15]};
        if ((mac[0] & 0x01) != 0) {
            return Optional.empty(); // a group address: no network card has it
        }
        return Optional.of(MacAddress.of(mac, 0));
    }

    private static String describe(Duid duid) {
        return switch (duid.type()) {
            case 1 -> "DUID-LLT of hardware type " + ((Duid.LinkLayerTime) duid).hardwareType();
            case 2 -> "DUID-EN (enterprise " + ((Duid.Enterprise) duid).enterpriseNumber() + ")";
            case 3 -> "DUID-LL of hardware type " + ((Duid.LinkLayer) duid).hardwareType();
            case 4 -> "DUID-UUID (type 4)";
            default -> "of type " + duid.type();
        };
    }
}
