package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.List;

/**
 * One DHCPv6 option (RFC 8415 §21.1: 2-byte code, 2-byte length, value), decoded into its record. The
 * codes bootferry reads or writes have their own record; any other is kept as {@link Unknown} so a
 * message encodes back to the bytes it came from.
 */
public sealed interface Dhcp6Option {

    int CLIENTID = 1;
    int SERVERID = 2;
    int IA_NA = 3;
    int IAADDR = 5;
    int ORO = 6;
    int PREFERENCE = 7;
    int ELAPSED_TIME = 8;
    int RELAY_MSG = 9;
    int STATUS_CODE = 13;
    int RAPID_COMMIT = 14;
    int USER_CLASS = 15;
    int VENDOR_CLASS = 16;
    int INTERFACE_ID = 18;
    int DNS_SERVERS = 23;
    int DOMAIN_LIST = 24;
    int BOOTFILE_URL = 59;
    int BOOTFILE_PARAM = 60;
    int CLIENT_ARCH_TYPE = 61;
    int NII = 62;
    int CLIENT_LINKLAYER_ADDR = 79;

    /** The option code on the wire. */
    int code();

    /** §21.2. */
    record ClientId(Duid duid) implements Dhcp6Option {
        @Override
        public int code() {
            return CLIENTID;
        }
    }

    /** §21.3. */
    record ServerId(Duid duid) implements Dhcp6Option {
        @Override
        public int code() {
            return SERVERID;
        }
    }

    /**
     * §21.4: an identity association for non-temporary addresses. Times are unsigned 32-bit seconds;
     * {@code options} holds its IAADDRs and STATUS_CODE.
     */
    record IaNa(long iaid, long t1, long t2, List<Dhcp6Option> options) implements Dhcp6Option {
        public IaNa {
            unsigned(iaid, 0xFFFF_FFFFL, "IAID");
            unsigned(t1, 0xFFFF_FFFFL, "T1");
            unsigned(t2, 0xFFFF_FFFFL, "T2");
            options = List.copyOf(options);
        }

        @Override
        public int code() {
            return IA_NA;
        }

        public List<IaAddress> addresses() {
            return options.stream().filter(IaAddress.class::isInstance).map(IaAddress.class::cast).toList();
        }
    }

    /** §21.6: an address of an IA_NA with its lifetimes (unsigned 32-bit seconds). */
    record IaAddress(Inet6Address address, long preferredLifetime, long validLifetime, List<Dhcp6Option> options)
            implements Dhcp6Option {
        public IaAddress {
            unsigned(preferredLifetime, 0xFFFF_FFFFL, "preferred-lifetime");
            unsigned(validLifetime, 0xFFFF_FFFFL, "valid-lifetime");
            options = List.copyOf(options);
        }

        @Override
        public int code() {
            return IAADDR;
        }
    }

    /** §21.7: the option codes the client asks for. */
    record OptionRequest(List<Integer> codes) implements Dhcp6Option {
        public OptionRequest {
            codes.forEach(c -> unsigned(c, 0xFFFF, "requested-option-code"));
            codes = List.copyOf(codes);
        }

        @Override
        public int code() {
            return ORO;
        }
    }

    /** §21.8: 0–255; 255 makes a client take this ADVERTISE at once (§18.2.1). */
    record Preference(int value) implements Dhcp6Option {
        public Preference {
            unsigned(value, 0xFF, "pref-value");
        }

        @Override
        public int code() {
            return PREFERENCE;
        }
    }

    /** §21.9: hundredths of a second since the client began this exchange. */
    record ElapsedTime(int hundredths) implements Dhcp6Option {
        public ElapsedTime {
            unsigned(hundredths, 0xFFFF, "elapsed-time");
        }

        @Override
        public int code() {
            return ELAPSED_TIME;
        }
    }

    /** §21.10: the relayed message, inside RELAY-FORW and RELAY-REPL. */
    record RelayMessage(Dhcp6Message message) implements Dhcp6Option {
        @Override
        public int code() {
            return RELAY_MSG;
        }
    }

    /** §21.13: a status code (§7.5, 0 = Success) and a UTF-8 message for people. */
    record StatusCode(int status, String message) implements Dhcp6Option {
        public StatusCode {
            unsigned(status, 0xFFFF, "status-code");
        }

        public static final int SUCCESS = 0;
        /** §21.13: the server has no addresses for the IA. */
        public static final int NO_ADDRS_AVAIL = 2;
        /** §21.13: the client's binding is unknown to the server. */
        public static final int NO_BINDING = 3;
        /** §21.13: the address is not on the client's link. */
        public static final int NOT_ON_LINK = 4;

        @Override
        public int code() {
            return STATUS_CODE;
        }
    }

    /** §21.14: the client takes a REPLY to its SOLICIT at once (a two-message exchange, §18.3.1). */
    record RapidCommit() implements Dhcp6Option {
        @Override
        public int code() {
            return RAPID_COMMIT;
        }
    }

    /** §21.15: user classes, each a length-prefixed opaque; iPXE sends one, "iPXE". */
    record UserClass(List<Opaque> classes) implements Dhcp6Option {
        public UserClass {
            classes = List.copyOf(classes);
        }

        @Override
        public int code() {
            return USER_CLASS;
        }
    }

    /** §21.16: an IANA enterprise number and its vendor-class data items (PXE and UEFI use 343, Intel). */
    record VendorClass(long enterpriseNumber, List<Opaque> data) implements Dhcp6Option {
        public VendorClass {
            unsigned(enterpriseNumber, 0xFFFF_FFFFL, "enterprise-number");
            data = List.copyOf(data);
        }

        @Override
        public int code() {
            return VENDOR_CLASS;
        }
    }

    /** §21.18: a relay agent's name for the interface the client's message came in on. */
    record InterfaceId(Opaque id) implements Dhcp6Option {
        @Override
        public int code() {
            return INTERFACE_ID;
        }
    }

    /** RFC 3646 §3: the recursive DNS servers. */
    record DnsServers(List<Inet6Address> servers) implements Dhcp6Option {
        public DnsServers {
            servers = List.copyOf(servers);
        }

        @Override
        public int code() {
            return DNS_SERVERS;
        }
    }

    /** RFC 3646 §4: the domain search list, names without the root's dot. */
    record DomainList(List<String> domains) implements Dhcp6Option {
        public DomainList {
            domains = List.copyOf(domains);
            for (String d : domains) {
                for (String label : d.split("\\.", -1)) {
                    if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(c -> c > 32 && c < 127)) {
                        throw new IllegalArgumentException("'" + d + "' is not a domain name of labels of 1-63"
                                + " printable characters (RFC 1035 §3.1)");
                    }
                }
            }
        }

        @Override
        public int code() {
            return DOMAIN_LIST;
        }
    }

    /** RFC 5970 §3.1: the boot file as a URL. */
    record BootfileUrl(String url) implements Dhcp6Option {
        @Override
        public int code() {
            return BOOTFILE_URL;
        }
    }

    /** RFC 5970 §3.2: parameters for the boot file, each a length-prefixed UTF-8 string. */
    record BootfileParam(List<String> parameters) implements Dhcp6Option {
        public BootfileParam {
            parameters = List.copyOf(parameters);
        }

        @Override
        public int code() {
            return BOOTFILE_PARAM;
        }
    }

    /** RFC 5970 §3.3: the client's architecture types, 16-bit codes of the IANA registry DHCPv4 option 93 shares. */
    record ClientArchType(List<Integer> architectures) implements Dhcp6Option {
        public ClientArchType {
            architectures.forEach(a -> unsigned(a, 0xFFFF, "architecture-type"));
            architectures = List.copyOf(architectures);
        }

        @Override
        public int code() {
            return CLIENT_ARCH_TYPE;
        }
    }

    /** RFC 5970 §3.4: network interface identifier: type (1 = UNDI), major and minor revision. */
    record NetworkInterfaceId(int type, int major, int minor) implements Dhcp6Option {
        public NetworkInterfaceId {
            unsigned(type, 0xFF, "type");
            unsigned(major, 0xFF, "major");
            unsigned(minor, 0xFF, "minor");
        }

        @Override
        public int code() {
            return NII;
        }
    }

    /** RFC 6939 §4: the client's link-layer address as the first relay agent saw it (type 1 = Ethernet). */
    record ClientLinkLayerAddress(int hardwareType, Opaque address) implements Dhcp6Option {
        public ClientLinkLayerAddress {
            unsigned(hardwareType, 0xFFFF, "link-layer type");
        }

        @Override
        public int code() {
            return CLIENT_LINKLAYER_ADDR;
        }
    }

    /** Any other option, kept as sent. */
    record Unknown(int code, Opaque value) implements Dhcp6Option {
        public Unknown {
            unsigned(code, 0xFFFF, "option code");
            if (OptionValues.hasRecord(code)) {
                throw new IllegalArgumentException("option " + OptionValues.name(code) + " has its own record");
            }
        }
    }

    /** A field's value must fit its width on the wire; the records refuse what would encode wrongly. */
    private static void unsigned(long value, long max, String field) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is outside 0.." + max);
        }
    }
}
