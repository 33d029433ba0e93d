package org.bootferry.dhcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure DHCPv4 wire format: bytes to {@link DhcpMessage} and back (RFC 2131 §2 and §3, RFC 2132,
 * RFC 3396). No I/O, no state.
 */
public final class DhcpCodec {

    /** RFC 2131 §3: the first four option bytes, 99.130.83.99. */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** 236-byte BOOTP header + cookie. */
    public static final int MIN_LENGTH = 240;
    /** RFC 1542 §3.1.1 (and BOOTP clients in the field): a message is padded to at least 300 bytes. */
    public static final int MIN_ENCODED_LENGTH = 300;

    private static final int SNAME_OFFSET = 44;
    private static final int SNAME_LENGTH = 64;
    private static final int FILE_OFFSET = 108;
    private static final int FILE_LENGTH = 128;
    private static final int OPTIONS_OFFSET = 240;
    private static final int OVERLOAD_FILE = 1;
    private static final int OVERLOAD_SNAME = 2;

    private DhcpCodec() {
    }

    public static DhcpMessage decode(byte[] datagram) throws MalformedDhcpException {
        return decode(Unpooled.wrappedBuffer(datagram));
    }

    /** Decodes the readable bytes of {@code in} without moving its reader index. */
    public static DhcpMessage decode(ByteBuf in) throws MalformedDhcpException {
        int base = in.readerIndex();
        int length = in.readableBytes();
        if (length < MIN_LENGTH) {
            throw new MalformedDhcpException("truncated: " + length + " bytes, a DHCP message has at least "
                    + MIN_LENGTH + " (236-byte BOOTP header and the magic cookie)");
        }
        int op = in.getUnsignedByte(base);
        if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
            throw new MalformedDhcpException("op " + op + " is neither BOOTREQUEST (1) nor BOOTREPLY (2)");
        }
        int htype = in.getUnsignedByte(base + 1);
        if (htype != DhcpMessage.HTYPE_ETHERNET) {
            throw new MalformedDhcpException("htype " + htype
                    + " is not Ethernet (1): machines are known by their Ethernet MAC");
        }
        int hlen = in.getUnsignedByte(base + 2);
        if (hlen > 16) {
            throw new MalformedDhcpException("hlen " + hlen + " is larger than the 16-byte chaddr field");
        }
        if (hlen != 6) {
            throw new MalformedDhcpException("hlen " + hlen + " with htype Ethernet (an Ethernet MAC has 6 bytes)");
        }
        int cookie = in.getInt(base + 236);
        if (cookie != MAGIC_COOKIE) {
            throw new MalformedDhcpException(String.format(
                    "no DHCP magic cookie (found %08x where 63825363 belongs): plain BOOTP is not answered", cookie));
        }

        Map<Integer, byte[]> joined = new LinkedHashMap<>();
        readOptions(in, base + OPTIONS_OFFSET, base + length, "options", true, joined);
        int overload = 0;
        byte[] v = joined.get(DhcpOptionCode.OPTION_OVERLOAD);
        if (v != null) {
            if (v.length != 1 || v[0] < 1 || v[0] > 3) {
                throw new MalformedDhcpException("option 52 (overload) must be one byte 1, 2 or 3, got "
                        + v.length + " bytes");
            }
            overload = v[0];
            // RFC 2131 §4.1: read the options field, then 'file', then 'sname'. The fields end at their
            // END option or their boundary, whichever comes first.
            if ((overload & OVERLOAD_FILE) != 0) {
                readOptions(in, base + FILE_OFFSET, base + FILE_OFFSET + FILE_LENGTH, "file field", false, joined);
            }
            if ((overload & OVERLOAD_SNAME) != 0) {
                readOptions(in, base + SNAME_OFFSET, base + SNAME_OFFSET + SNAME_LENGTH, "sname field", false, joined);
            }
            // Overload says where options were on the wire; the message holds them all in its list,
            // so keeping 52 would claim fields that encode() fills with no options.
            joined.remove(DhcpOptionCode.OPTION_OVERLOAD);
        }
        List<DhcpOption> options = new ArrayList<>(joined.size());
        joined.forEach((code, value) -> options.add(new DhcpOption(code, value)));

        byte[] chaddr = new byte[16];
        in.getBytes(base + 28, chaddr);
        return new DhcpMessage(op, htype, hlen, in.getUnsignedByte(base + 3), in.getInt(base + 4),
                in.getUnsignedShort(base + 8), in.getUnsignedShort(base + 10),
                address(in, base + 12), address(in, base + 16), address(in, base + 20), address(in, base + 24),
                chaddr,
                (overload & OVERLOAD_SNAME) != 0 ? "" : cString(in, base + SNAME_OFFSET, SNAME_LENGTH),
                (overload & OVERLOAD_FILE) != 0 ? "" : cString(in, base + FILE_OFFSET, FILE_LENGTH),
                options);
    }

    /**
     * Reads code/length/value triples from {@code from} to {@code to}. Instances of the same code are
     * joined in order (RFC 3396 §7), keeping the position of the first.
     */
    private static void readOptions(ByteBuf in, int from, int to, String where, boolean endRequired,
                                    Map<Integer, byte[]> joined) throws MalformedDhcpException {
        int i = from;
        while (i < to) {
            int code = in.getUnsignedByte(i);
            if (code == DhcpOptionCode.END) {
                return;
            }
            if (code == DhcpOptionCode.PAD) {
                i++;
                continue;
            }
            if (i + 1 >= to) {
                throw new MalformedDhcpException("option " + code + " at offset " + (i - in.readerIndex())
                        + " of the " + where + " has no length byte");
            }
            int len = in.getUnsignedByte(i + 1);
            if (i + 2 + len > to) {
                throw new MalformedDhcpException("option " + code + " at offset " + (i - in.readerIndex())
                        + " of the " + where + " claims " + len + " bytes but only " + (to - i - 2) + " remain");
            }
            byte[] value = new byte[len];
            in.getBytes(i + 2, value);
            joined.merge(code, value, DhcpCodec::concat);
            i += 2 + len;
        }
        if (endRequired) {
            throw new MalformedDhcpException("the " + where + " end without the END option (255)");
        }
    }

    private static byte[] concat(byte[] first, byte[] more) {
        byte[] both = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, both, first.length, more.length);
        return both;
    }

    private static Inet4Address address(ByteBuf in, int offset) {
        byte[] four = new byte[4];
        in.getBytes(offset, four);
        return DhcpMessage.ipv4(four);
    }

    /**
     * A NUL-terminated string in a field of {@code size} bytes (RFC 2131 §2, Figure 1: sname and file
     * are "null terminated"). A field without its NUL keeps {@code size - 1} bytes, what a
     * {@link DhcpMessage} holds and {@link #encode} can write back.
     */
    private static String cString(ByteBuf in, int offset, int size) {
        int len = 0;
        while (len < size - 1 && in.getByte(offset + len) != 0) {
            len++;
        }
        return in.toString(offset, len, StandardCharsets.ISO_8859_1);
    }

    public static byte[] encode(DhcpMessage m) {
        ByteBuf out = Unpooled.buffer(MIN_ENCODED_LENGTH);
        encode(m, out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /**
     * Writes {@code m} to {@code out}. Option values longer than 255 bytes are split into several
     * instances (RFC 3396); sname and file must fit their fields with a terminating NUL.
     */
    public static void encode(DhcpMessage m, ByteBuf out) {
        int start = out.writerIndex();
        out.writeByte(m.op()).writeByte(m.htype()).writeByte(m.hlen()).writeByte(m.hops());
        out.writeInt(m.xid()).writeShort(m.secs()).writeShort(m.flags());
        out.writeBytes(m.ciaddr().getAddress()).writeBytes(m.yiaddr().getAddress())
                .writeBytes(m.siaddr().getAddress()).writeBytes(m.giaddr().getAddress());
        out.writeBytes(m.chaddr());
        writeField(out, m.sname(), SNAME_LENGTH, "sname");
        writeField(out, m.file(), FILE_LENGTH, "file");
        out.writeInt(MAGIC_COOKIE);
        for (DhcpOption o : m.options()) {
            byte[] v = o.value();
            int offset = 0;
            do {
                int chunk = Math.min(255, v.length - offset);
                out.writeByte(o.code()).writeByte(chunk).writeBytes(v, offset, chunk);
                offset += chunk;
            } while (offset < v.length);
        }
        out.writeByte(DhcpOptionCode.END);
        int written = out.writerIndex() - start;
        if (written < MIN_ENCODED_LENGTH) {
            out.writeZero(MIN_ENCODED_LENGTH - written);
        }
    }

    private static void writeField(ByteBuf out, String text, int size, String name) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length >= size) {
            throw new IllegalArgumentException(name + " holds at most " + (size - 1) + " bytes, got " + b.length);
        }
        out.writeBytes(b).writeZero(size - b.length);
    }
}
