package org.bootferry.dhcp6;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The value of each option {@link Dhcp6Option} has a record for: bytes to record and back. */
final class OptionValues {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(Dhcp6Option.CLIENTID, "CLIENTID"), Map.entry(Dhcp6Option.SERVERID, "SERVERID"),
            Map.entry(Dhcp6Option.IA_NA, "IA_NA"), Map.entry(Dhcp6Option.IAADDR, "IAADDR"),
            Map.entry(Dhcp6Option.ORO, "ORO"), Map.entry(Dhcp6Option.PREFERENCE, "PREFERENCE"),
            Map.entry(Dhcp6Option.ELAPSED_TIME, "ELAPSED_TIME"), Map.entry(Dhcp6Option.RELAY_MSG, "RELAY_MSG"),
            Map.entry(Dhcp6Option.STATUS_CODE, "STATUS_CODE"), Map.entry(Dhcp6Option.USER_CLASS, "USER_CLASS"),
            Map.entry(Dhcp6Option.VENDOR_CLASS, "VENDOR_CLASS"), Map.entry(Dhcp6Option.INTERFACE_ID, "INTERFACE_ID"),
            Map.entry(Dhcp6Option.BOOTFILE_URL, "BOOTFILE_URL"), Map.entry(Dhcp6Option.BOOTFILE_PARAM, "BOOTFILE_PARAM"),
            Map.entry(Dhcp6Option.CLIENT_ARCH_TYPE, "CLIENT_ARCH_TYPE"), Map.entry(Dhcp6Option.NII, "NII"),
            Map.entry(Dhcp6Option.CLIENT_LINKLAYER_ADDR, "CLIENT_LINKLAYER_ADDR"),
            Map.entry(Dhcp6Option.RAPID_COMMIT, "RAPID_COMMIT"), Map.entry(Dhcp6Option.DNS_SERVERS, "DNS_SERVERS"),
            Map.entry(Dhcp6Option.DOMAIN_LIST, "DOMAIN_LIST"));

    private OptionValues() {
    }

    /** "3 (IA_NA)", or the bare number for a code without a record. */
    static String name(int code) {
        String name = NAMES.get(code);
        return name == null ? Integer.toString(code) : code + " (" + name + ")";
    }

    static boolean hasRecord(int code) {
        return NAMES.containsKey(code);
    }

    static Dhcp6Option decode(int code, OptionReader r, int depth) throws MalformedDhcp6Exception {
        Dhcp6Option option = switch (code) {
            case Dhcp6Option.CLIENTID -> new Dhcp6Option.ClientId(duid(r));
            case Dhcp6Option.SERVERID -> new Dhcp6Option.ServerId(duid(r));
            case Dhcp6Option.IA_NA -> new Dhcp6Option.IaNa(r.u32("IAID"), r.u32("T1"), r.u32("T2"),
                    Dhcp6Codec.options(r, depth));
            case Dhcp6Option.IAADDR -> new Dhcp6Option.IaAddress(r.ipv6("IPv6-address"), r.u32("preferred-lifetime"),
                    r.u32("valid-lifetime"), Dhcp6Codec.options(r, depth));
            case Dhcp6Option.ORO -> new Dhcp6Option.OptionRequest(shorts(r, "requested-option-code"));
            case Dhcp6Option.PREFERENCE -> new Dhcp6Option.Preference(r.u8("pref-value"));
            case Dhcp6Option.ELAPSED_TIME -> new Dhcp6Option.ElapsedTime(r.u16("elapsed-time"));
            case Dhcp6Option.RELAY_MSG -> new Dhcp6Option.RelayMessage(Dhcp6Codec.message(r, depth));
            case Dhcp6Option.STATUS_CODE -> new Dhcp6Option.StatusCode(r.u16("status-code"),
                    utf8(r, r.rest(), "status-message"));
            case Dhcp6Option.RAPID_COMMIT -> new Dhcp6Option.RapidCommit();
            case Dhcp6Option.DNS_SERVERS -> new Dhcp6Option.DnsServers(addresses(r));
            case Dhcp6Option.DOMAIN_LIST -> new Dhcp6Option.DomainList(domains(r));
            case Dhcp6Option.USER_CLASS -> new Dhcp6Option.UserClass(items(r, "user-class-data"));
            case Dhcp6Option.VENDOR_CLASS -> new Dhcp6Option.VendorClass(r.u32("enterprise-number"),
                    items(r, "vendor-class-data"));
            case Dhcp6Option.INTERFACE_ID -> new Dhcp6Option.InterfaceId(new Opaque(r.rest()));
            case Dhcp6Option.BOOTFILE_URL -> new Dhcp6Option.BootfileUrl(url(r));
            case Dhcp6Option.BOOTFILE_PARAM -> new Dhcp6Option.BootfileParam(parameters(r));
            case Dhcp6Option.CLIENT_ARCH_TYPE -> new Dhcp6Option.ClientArchType(shorts(r, "architecture-type"));
            case Dhcp6Option.NII -> new Dhcp6Option.NetworkInterfaceId(r.u8("type"), r.u8("major"), r.u8("minor"));
            case Dhcp6Option.CLIENT_LINKLAYER_ADDR -> new Dhcp6Option.ClientLinkLayerAddress(r.u16("link-layer type"),
                    new Opaque(r.rest()));
            default -> new Dhcp6Option.Unknown(code, new Opaque(r.rest()));
        };
        if (!r.atEnd()) {
            throw r.malformed(r.remaining() + " bytes left over after the value");
        }
        return option;
    }

    /** §11.1: a 2-byte type and 1 to 128 bytes. */
    static Duid duid(OptionReader r) throws MalformedDhcp6Exception {
        int length = r.remaining() - 2;
        if (length < 1 || length > Duid.MAX_IDENTIFIER_LENGTH) {
            throw r.malformed("a DUID is a 2-byte type and 1 to " + Duid.MAX_IDENTIFIER_LENGTH
                    + " bytes (RFC 8415 §11.1), got " + r.remaining() + " bytes");
        }
        int type = r.u16("DUID type");
        return switch (type) {
            case 1 -> new Duid.LinkLayerTime(r.u16("DUID-LLT hardware type"), r.u32("DUID-LLT time"),
                    new Opaque(r.rest()));
            case 2 -> new Duid.Enterprise(r.u32("DUID-EN enterprise-number"), new Opaque(r.rest()));
            case 3 -> new Duid.LinkLayer(r.u16("DUID-LL hardware type"), new Opaque(r.rest()));
            case 4 -> {
                if (r.remaining() != 16) {
                    throw r.malformed("a DUID-UUID holds 16 bytes (RFC 6355 §4), got " + r.remaining());
                }
                yield new Duid.Uuid(new Opaque(r.rest()));
            }
            default -> new Duid.Other(type, new Opaque(r.rest()));
        };
    }

    private static List<Integer> shorts(OptionReader r, String field) throws MalformedDhcp6Exception {
        if (r.remaining() % 2 != 0) {
            throw r.malformed("a list of 16-bit " + field + "s has an odd length, " + r.remaining());
        }
        List<Integer> codes = new ArrayList<>();
        while (!r.atEnd()) {
            codes.add(r.u16(field));
        }
        return codes;
    }

    private static List<java.net.Inet6Address> addresses(OptionReader r) throws MalformedDhcp6Exception {
        if (r.remaining() % 16 != 0) {
            throw r.malformed("a list of IPv6 addresses has " + r.remaining() + " bytes, not a multiple of 16");
        }
        List<java.net.Inet6Address> addresses = new ArrayList<>();
        while (!r.atEnd()) {
            addresses.add(r.ipv6("DNS-recursive-name-server"));
        }
        return addresses;
    }

    /** RFC 3646 §4, RFC 1035 §3.1: names as uncompressed labels, each list entry ending in the root's 0. */
    private static List<String> domains(OptionReader r) throws MalformedDhcp6Exception {
        List<String> domains = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        while (!r.atEnd()) {
            int length = r.u8("label length");
            if (length == 0) {
                if (name.isEmpty()) {
                    throw r.malformed("an empty name in the domain list");
                }
                domains.add(name.toString());
                name.setLength(0);
            } else if (length > 63) {
                throw r.malformed("label length " + length + " (a compression pointer or over 63, RFC 1035 §3.1)");
            } else {
                byte[] label = new byte[length];
                for (int i = 0; i < length; i++) {
                    label[i] = (byte) r.u8("label byte");
                }
                name.append(name.isEmpty() ? "" : ".").append(decoded(r, label, StandardCharsets.US_ASCII, "a label"));
            }
        }
        if (!name.isEmpty()) {
            throw r.malformed("the domain list's last name does not end in the root label (0)");
        }
        try {
            return new Dhcp6Option.DomainList(domains).domains();
        } catch (IllegalArgumentException e) {
            throw r.malformed(e.getMessage());
        }
    }

    /** §21.15 and §21.16: length-prefixed items back to back. */
    private static List<Opaque> items(OptionReader r, String field) throws MalformedDhcp6Exception {
        List<Opaque> items = new ArrayList<>();
        while (!r.atEnd()) {
            items.add(new Opaque(r.lengthPrefixed(field + " item", items.size() + 1)));
        }
        return items;
    }

    /** RFC 5970 §3.2: length-prefixed UTF-8 parameters. */
    private static List<String> parameters(OptionReader r) throws MalformedDhcp6Exception {
        List<String> parameters = new ArrayList<>();
        while (!r.atEnd()) {
            parameters.add(utf8(r, r.lengthPrefixed("parameter", parameters.size() + 1), "a parameter"));
        }
        return parameters;
    }

    /** RFC 5970 §3.1 names RFC 3986, whose URLs are US-ASCII (§2). */
    private static String url(OptionReader r) throws MalformedDhcp6Exception {
        byte[] bytes = r.rest();
        if (bytes.length == 0) {
            throw r.malformed("an empty boot file URL");
        }
        return decoded(r, bytes, StandardCharsets.US_ASCII, "the URL (RFC 3986 §2 allows only US-ASCII)");
    }

    private static String utf8(OptionReader r, byte[] bytes, String field) throws MalformedDhcp6Exception {
        return decoded(r, bytes, StandardCharsets.UTF_8, field + " (not UTF-8)");
    }

    private static String decoded(OptionReader r, byte[] bytes, Charset charset, String what)
            throws MalformedDhcp6Exception {
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw r.malformed("bad bytes in " + what);
        }
    }

    static void encode(Dhcp6Option o, ByteBuf out) {
        if (o instanceof Dhcp6Option.ClientId c) {
            encode(c.duid(), out);
        } else if (o instanceof Dhcp6Option.ServerId s) {
            encode(s.duid(), out);
        } else if (o instanceof Dhcp6Option.IaNa ia) {
            out.writeInt((int) ia.iaid()).writeInt((int) ia.t1()).writeInt((int) ia.t2());
            Dhcp6Codec.encodeOptions(ia.options(), out);
        } else if (o instanceof Dhcp6Option.IaAddress a) {
            out.writeBytes(a.address().getAddress());
            out.writeInt((int) a.preferredLifetime()).writeInt((int) a.validLifetime());
            Dhcp6Codec.encodeOptions(a.options(), out);
        } else if (o instanceof Dhcp6Option.OptionRequest oro) {
            oro.codes().forEach(out::writeShort);
        } else if (o instanceof Dhcp6Option.Preference p) {
            out.writeByte(p.value());
        } else if (o instanceof Dhcp6Option.ElapsedTime t) {
            out.writeShort(t.hundredths());
        } else if (o instanceof Dhcp6Option.RelayMessage m) {
            Dhcp6Codec.encode(m.message(), out);
        } else if (o instanceof Dhcp6Option.StatusCode s) {
            out.writeShort(s.status()).writeBytes(s.message().getBytes(StandardCharsets.UTF_8));
        } else if (o instanceof Dhcp6Option.RapidCommit) {
            // §21.14: no value.
        } else if (o instanceof Dhcp6Option.DnsServers d) {
            d.servers().forEach(a -> out.writeBytes(a.getAddress()));
        } else if (o instanceof Dhcp6Option.DomainList d) {
            for (String domain : d.domains()) {
                for (String label : domain.split("\\.")) {
                    out.writeByte(label.length()).writeBytes(label.getBytes(StandardCharsets.US_ASCII));
                }
                out.writeByte(0);
            }
        } else if (o instanceof Dhcp6Option.UserClass u) {
            u.classes().forEach(item -> lengthPrefixed(item.bytes(), out));
        } else if (o instanceof Dhcp6Option.VendorClass v) {
            out.writeInt((int) v.enterpriseNumber());
            v.data().forEach(item -> lengthPrefixed(item.bytes(), out));
        } else if (o instanceof Dhcp6Option.InterfaceId i) {
            out.writeBytes(i.id().bytes());
        } else if (o instanceof Dhcp6Option.BootfileUrl u) {
            out.writeBytes(u.url().getBytes(StandardCharsets.US_ASCII));
        } else if (o instanceof Dhcp6Option.BootfileParam p) {
            p.parameters().forEach(text -> lengthPrefixed(text.getBytes(StandardCharsets.UTF_8), out));
        } else if (o instanceof Dhcp6Option.ClientArchType a) {
            a.architectures().forEach(out::writeShort);
        } else if (o instanceof Dhcp6Option.NetworkInterfaceId n) {
            out.writeByte(n.type()).writeByte(n.major()).writeByte(n.minor());
        } else if (o instanceof Dhcp6Option.ClientLinkLayerAddress l) {
            out.writeShort(l.hardwareType()).writeBytes(l.address().bytes());
        } else {
            out.writeBytes(((Dhcp6Option.Unknown) o).value().bytes());
        }
    }

    static void encode(Duid duid, ByteBuf out) {
        out.writeShort(duid.type());
        if (duid instanceof Duid.LinkLayerTime llt) {
            out.writeShort(llt.hardwareType()).writeInt((int) llt.time()).writeBytes(llt.linkLayerAddress().bytes());
        } else if (duid instanceof Duid.Enterprise en) {
            out.writeInt((int) en.enterpriseNumber()).writeBytes(en.identifier().bytes());
        } else if (duid instanceof Duid.LinkLayer ll) {
            out.writeShort(ll.hardwareType()).writeBytes(ll.linkLayerAddress().bytes());
        } else if (duid instanceof Duid.Uuid uuid) {
            out.writeBytes(uuid.uuid().bytes());
        } else {
            out.writeBytes(((Duid.Other) duid).value().bytes());
        }
    }

    private static void lengthPrefixed(byte[] bytes, ByteBuf out) {
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("an item of " + bytes.length + " bytes does not fit its 2-byte length");
        }
        out.writeShort(bytes.length).writeBytes(bytes);
    }
}
