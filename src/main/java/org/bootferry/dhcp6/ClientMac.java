package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.lang.AddressText;
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

    /**
     * Every way a DHCPv6 client's MAC is found, in the order tried: the first three by {@link #of}
     * from the message alone, the others by {@link BootOnly6} (what it learnt, the config, the
     * kernel). Worded for {@code explain}, the log and the status page: the one text of each.
     */
    enum Source {
        RELAY_OPTION_79("the relay agent's option 79 (RFC 6939)"),
        EUI64_SOURCE("the client's EUI-64 link-local address"),
        DUID("the client's DUID (a DUID-LL or DUID-LLT)"),
        SOLICIT("the MAC this DUID's SOLICIT showed, lately answered"),
        MACHINE_FILE("a machine file naming the DUID (duid:)"),
        NEIGHBOUR_TABLE("the kernel's IPv6 neighbour table, for a client on a boot link");

        private final String description;

        Source(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** "description: what it held", one entry of {@link Unknown#tried}. */
        String missed(String detail) {
            return description + ": " + detail;
        }
    }

    record Known(MacAddress mac, Source source) implements ClientMac {
        /** For {@code explain} and the status page: "52:54:00:12:34:56, from the client's …". */
        public String explanation() {
            return mac + ", from " + source.description();
        }
    }

    /** No MAC: {@code tried} lists each place looked at and what it held, in {@link Source}'s order. */
    record Unknown(List<String> tried) implements ClientMac {
        public Unknown {
            tried = List.copyOf(tried);
        }

        /** The log's and the status page's sentence. */
        public String why() {
            return why(tried);
        }

        static String why(List<String> tried) {
            return "cannot tell which machine this is: " + String.join("; ", tried);
        }
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
            tried.add(Source.RELAY_OPTION_79.missed("link-layer type " + l.hardwareType() + " and "
                    + l.address().length() + " bytes, not an Ethernet MAC"));
        } else if (received instanceof Dhcp6Message.Relay) {
            tried.add(Source.RELAY_OPTION_79.missed("the relay agent sent none"));
        } else {
            tried.add(Source.RELAY_OPTION_79.missed("none, it came straight to us, not through a relay agent"));
        }

        Optional<MacAddress> eui64 = eui64Mac(clientAddress);
        if (eui64.isPresent()) {
            return new Known(eui64.get(), Source.EUI64_SOURCE);
        }
        tried.add(Source.EUI64_SOURCE.missed(AddressText.of(clientAddress) + (clientAddress.isLinkLocalAddress()
                ? " has no EUI-64 interface identifier (ff:fe in the middle): a random or stable-privacy"
                        + " address (RFC 8981, RFC 7217)"
                : " is not link-local, so its interface identifier need not come from the MAC")));

        Optional<Dhcp6Option.ClientId> clientId = client.option(Dhcp6Option.ClientId.class);
        if (clientId.isEmpty()) {
            tried.add(Source.DUID.missed("it sent none"));
        } else {
            Duid duid = clientId.get().duid();
            Optional<MacAddress> fromDuid = duid.mac();
            if (fromDuid.isPresent()) {
                return new Known(fromDuid.get(), Source.DUID);
            }
            tried.add(Source.DUID.missed("a " + describe(duid) + ", which holds no Ethernet MAC"));
        }
        return new Unknown(tried);
    }

    /**
     * The address of the client behind {@code received}: the innermost relay's peer-address, else
     * the datagram's {@code source} (RFC 8415 §9).
     */
    static Inet6Address clientAddress(Dhcp6Message received, Inet6Address source) {
        Inet6Address address = source;
        for (Dhcp6Message m = received; m instanceof Dhcp6Message.Relay relay; m = relay.relayed()) {
            address = relay.peerAddress();
        }
        return address;
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

    /** A DUID's type as the log, the API and the status page name it (RFC 8415 §11, RFC 6355). */
    static String describe(Duid duid) {
        return switch (duid.type()) {
            case 1 -> "DUID-LLT of hardware type " + ((Duid.LinkLayerTime) duid).hardwareType();
            case 2 -> "DUID-EN (enterprise " + ((Duid.Enterprise) duid).enterpriseNumber() + ")";
            case 3 -> "DUID-LL of hardware type " + ((Duid.LinkLayer) duid).hardwareType();
            case 4 -> "DUID-UUID (type 4)";
            default -> "DUID of type " + duid.type();
        };
    }
}
