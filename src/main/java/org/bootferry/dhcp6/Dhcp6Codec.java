package org.bootferry.dhcp6;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure DHCPv6 wire format: bytes to {@link Dhcp6Message} and back (RFC 8415 §8, §9, §21; RFC 5970;
 * RFC 6939). No I/O, no state. Every malformed datagram gives a {@link MalformedDhcp6Exception} that
 * says what is wrong and at which byte; §16 lets a server drop such a message whole.
 */
public final class Dhcp6Codec {

    /** §7.6: relay agents drop a RELAY-FORW whose hop-count has reached this. */
    public static final int HOP_COUNT_LIMIT = 8;
    /**
     * How deep option lists may nest: HOP_COUNT_LIMIT relays around a client message, whose IA_NA
     * holds an IAADDR holding a STATUS_CODE. Bounds the recursion a crafted datagram can cause.
     */
    static final int MAX_DEPTH = HOP_COUNT_LIMIT + 4;

    private Dhcp6Codec() {
    }

    public static Dhcp6Message decode(byte[] datagram) throws MalformedDhcp6Exception {
        return message(new OptionReader(datagram), 0);
    }

    /** Decodes the readable bytes of {@code in} without moving its reader index. */
    public static Dhcp6Message decode(ByteBuf in) throws MalformedDhcp6Exception {
        return decode(ByteBufUtil.getBytes(in));
    }

    /** One message filling {@code r}: a relay message's (§9) or a client's or server's (§8). */
    static Dhcp6Message message(OptionReader r, int depth) throws MalformedDhcp6Exception {
        int code = r.u8("msg-type");
        Optional<Dhcp6MessageType> type = Dhcp6MessageType.of(code);
        if (type.isEmpty()) {
            throw r.malformed("msg-type " + code + " is not a DHCPv6 message type (RFC 8415 §7.3: 1 to 13)");
        }
        if (!type.get().relay()) {
            int transactionId = r.u24("transaction-id");
            return new Dhcp6Message.ClientServer(type.get(), transactionId, options(r, depth));
        }
        int hopCount = r.u8("hop-count");
        var link = r.ipv6("link-address");
        var peer = r.ipv6("peer-address");
        List<Dhcp6Option> options = options(r, depth);
        if (options.stream().noneMatch(Dhcp6Option.RelayMessage.class::isInstance)) {
            throw r.malformed(type.get() + " without RELAY_MSG (9): RFC 8415 §9 requires the relayed message");
        }
        return new Dhcp6Message.Relay(type.get(), hopCount, link, peer, options);
    }

    /** The options that fill the rest of {@code r} (§21.1: code, length, value, back to back). */
    static List<Dhcp6Option> options(OptionReader r, int depth) throws MalformedDhcp6Exception {
        if (depth > MAX_DEPTH) {
            throw r.malformed("messages and options nested deeper than " + MAX_DEPTH + " levels");
        }
        List<Dhcp6Option> options = new ArrayList<>();
        while (!r.atEnd()) {
            OptionReader value = r.option();
            options.add(OptionValues.decode(value.optionCode(), value, depth + 1));
        }
        return options;
    }

    public static byte[] encode(Dhcp6Message m) {
        ByteBuf out = Unpooled.buffer(256);
        encode(m, out);
        return ByteBufUtil.getBytes(out);
    }

    /** Writes {@code m} to {@code out}; an option value over 65535 bytes is an IllegalArgumentException. */
    public static void encode(Dhcp6Message m, ByteBuf out) {
        out.writeByte(m.type().code());
        if (m instanceof Dhcp6Message.Relay relay) {
            out.writeByte(relay.hopCount());
            out.writeBytes(relay.linkAddress().getAddress());
            out.writeBytes(relay.peerAddress().getAddress());
        } else {
            out.writeMedium(((Dhcp6Message.ClientServer) m).transactionId());
        }
        encodeOptions(m.options(), out);
    }

    /** A DUID's bytes as option 1 or 2 carries them (RFC 8415 §11.1): type, then its fields. */
    public static byte[] encodeDuid(Duid duid) {
        ByteBuf out = Unpooled.buffer(20);
        OptionValues.encode(duid, out);
        return ByteBufUtil.getBytes(out);
    }

    /** The DUID of {@link #encodeDuid}'s bytes (a machine file's {@code duid:}, a journal's). */
    public static Duid decodeDuid(byte[] bytes) throws MalformedDhcp6Exception {
        OptionReader r = new OptionReader(bytes);
        Duid duid = OptionValues.duid(r);
        if (!r.atEnd()) {
            throw r.malformed(r.remaining() + " bytes left over after the DUID");
        }
        return duid;
    }

    static void encodeOptions(List<Dhcp6Option> options, ByteBuf out) {
        for (Dhcp6Option o : options) {
            out.writeShort(o.code());
            int lengthAt = out.writerIndex();
            out.writeShort(0);
            OptionValues.encode(o, out);
            int length = out.writerIndex() - lengthAt - 2;
            if (length > 0xFFFF) {
                throw new IllegalArgumentException("option " + OptionValues.name(o.code()) + " has " + length
                        + " bytes; an option holds at most 65535 (RFC 8415 §21.1)");
            }
            out.setShort(lengthAt, length);
        }
    }
}
