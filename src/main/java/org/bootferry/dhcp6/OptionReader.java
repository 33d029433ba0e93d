package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A bounds-checked cursor over part of a datagram. Every read that would run past the end throws a
 * {@link MalformedDhcp6Exception} naming the field and where it is, never an index error.
 */
final class OptionReader {

    /** {@link #optionCode} of the reader of a whole datagram. */
    private static final int DATAGRAM = -1;

    private final byte[] bytes;
    private final int end;
    /** The option whose value this reads, and where it starts; error text is built only on error. */
    private final int optionCode;
    private final int optionAt;
    private int position;

    /** Reads a whole datagram. */
    OptionReader(byte[] bytes) {
        this(bytes, 0, bytes.length, DATAGRAM, 0);
    }

    private OptionReader(byte[] bytes, int from, int to, int optionCode, int optionAt) {
        this.bytes = bytes;
        this.position = from;
        this.end = to;
        this.optionCode = optionCode;
        this.optionAt = optionAt;
    }

    int remaining() {
        return end - position;
    }

    boolean atEnd() {
        return position == end;
    }

    MalformedDhcp6Exception malformed(String problem) {
        String where = optionCode == DATAGRAM ? "DHCPv6 message"
                : "option " + OptionValues.name(optionCode) + " at byte " + optionAt;
        return new MalformedDhcp6Exception(where + ": " + problem);
    }

    int u8(String field) throws MalformedDhcp6Exception {
        need(1, field);
        return bytes[position++] & 0xFF;
    }

    int u16(String field) throws MalformedDhcp6Exception {
        need(2, field);
        int v = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        position += 2;
        return v;
    }

    int u24(String field) throws MalformedDhcp6Exception {
        need(3, field);
        int v = ((bytes[position] & 0xFF) << 16) | ((bytes[position + 1] & 0xFF) << 8) | (bytes[position + 2] & 0xFF);
        position += 3;
        return v;
    }

    long u32(String field) throws MalformedDhcp6Exception {
        need(4, field);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (bytes[position + i] & 0xFF);
        }
        position += 4;
        return v;
    }

    byte[] bytes(int count, String field) throws MalformedDhcp6Exception {
        need(count, field);
        byte[] v = Arrays.copyOfRange(bytes, position, position + count);
        position += count;
        return v;
    }

    /** A 2-byte length, then that many bytes: item {@code item} (from 1) of §21.15, §21.16, RFC 5970 §3.2. */
    byte[] lengthPrefixed(String field, int item) throws MalformedDhcp6Exception {
        if (remaining() < 2 || ((bytes[position] & 0xFF) << 8 | (bytes[position + 1] & 0xFF)) > remaining() - 2) {
            throw malformed(field + " " + item + (remaining() < 2 ? " has no 2-byte length"
                    : " claims " + ((bytes[position] & 0xFF) << 8 | (bytes[position + 1] & 0xFF))
                            + " bytes but only " + (remaining() - 2) + " remain"));
        }
        return bytes(u16(field), field);
    }

    byte[] rest() {
        byte[] v = Arrays.copyOfRange(bytes, position, end);
        position = end;
        return v;
    }

    Inet6Address ipv6(String field) throws MalformedDhcp6Exception {
        byte[] sixteen = bytes(16, field);
        try {
            // Not InetAddress.getByAddress: it turns ::ffff:a.b.c.d into an Inet4Address. -1: no scope.
            return Inet6Address.getByAddress(null, sixteen, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    /**
     * The next option's value as its own reader, which this one skips: RFC 8415 §21.1's 2-byte code
     * and 2-byte length, then the value.
     */
    OptionReader option() throws MalformedDhcp6Exception {
        int at = position;
        if (remaining() < 4) {
            throw malformed("an option at byte " + at + " needs a 2-byte code and a 2-byte length, only "
                    + remaining() + " bytes remain");
        }
        int code = u16("option-code");
        int length = u16("option-len");
        if (length > remaining()) {
            throw new OptionReader(bytes, position, end, code, at).malformed("claims " + length
                    + " bytes but only " + remaining() + " remain");
        }
        OptionReader value = new OptionReader(bytes, position, position + length, code, at);
        position += length;
        return value;
    }

    /** The code of the option this reader reads the value of. */
    int optionCode() {
        return optionCode;
    }

    private void need(int count, String field) throws MalformedDhcp6Exception {
        if (count > end - position) {
            throw malformed(field + " needs " + count + " bytes but only " + (end - position) + " remain");
        }
    }
}
