package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A bounds-checked cursor over part of a datagram. Every read that would run past the end throws a
 * {@link MalformedDhcp6Exception} naming the field and where it is, never an index error.
 */
final class OptionReader {

    private final byte[] bytes;
    private final int end;
    private final String where;
    private int position;

    /** Reads {@code bytes[from, to)}; {@code where} starts every error message ("option 3 (IA_NA) at byte 22"). */
    OptionReader(byte[] bytes, int from, int to, String where) {
        this.bytes = bytes;
        this.position = from;
        this.end = to;
        this.where = where;
    }

    int position() {
        return position;
    }

    int remaining() {
        return end - position;
    }

    boolean atEnd() {
        return position == end;
    }

    MalformedDhcp6Exception malformed(String problem) {
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

    /** A 2-byte length, then that many bytes (§21.15, §21.16, RFC 5970 §3.2). */
    byte[] lengthPrefixed(String field) throws MalformedDhcp6Exception {
        int length = u16(field + "'s length");
        return bytes(length, field);
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

    /** A sub-reader for the next {@code count} bytes, which this one skips. */
    OptionReader slice(int count, String field, String subWhere) throws MalformedDhcp6Exception {
        need(count, field);
        OptionReader sub = new OptionReader(bytes, position, position + count, subWhere);
        position += count;
        return sub;
    }

    byte[] datagram() {
        return bytes;
    }

    private void need(int count, String field) throws MalformedDhcp6Exception {
        if (count > end - position) {
            throw malformed(field + " needs " + count + " bytes but only " + (end - position) + " remain");
        }
    }
}
