package org.bootferry.machine;

/**
 * An Ethernet MAC address. Accepted in every common spelling ({@code 52:54:00:12:34:56},
 * {@code 52-54-00-12-34-56}, {@code 5254.0012.3456}, {@code 525400123456}, any case); always
 * printed lower-case with colons.
 */
public record MacAddress(long value) implements Comparable<MacAddress> {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public MacAddress {
        if (value < 0 || value > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("MAC address out of range: " + value);
        }
    }

    /**
     * Parses any common spelling; throws {@link IllegalArgumentException} naming the input otherwise.
     * By hand, not by regular expression: every request of a booting machine names its MAC.
     */
    public static MacAddress parse(String text) {
        String s = text.strip();
        // Hex digits in groups of `group`, each group but the last followed by `separator`.
        int group = switch (s.length()) {
            case 17 -> 2;   // 52:54:00:12:34:56, 52-54-00-12-34-56
            case 14 -> 4;   // 5254.0012.3456
            case 12 -> 12;  // 525400123456
            default -> 0;
        };
        char separator = group == 2 ? s.charAt(2) : '.';
        if (group == 0 || group == 2 && separator != ':' && separator != '-') {
            throw notMac(text);
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (i % (group + 1) == group) {
                if (c != separator) {
                    throw notMac(text);
                }
                continue;
            }
            int digit = hexDigit(c);
            if (digit < 0) {
                throw notMac(text);
            }
            value = value << 4 | digit;
        }
        return new MacAddress(value);
    }

    /** The value of an ASCII hex digit of either case, or -1. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static IllegalArgumentException notMac(String text) {
        return new IllegalArgumentException("not a MAC address: '" + text
                + "' (expected e.g. 52:54:00:12:34:56, 52-54-00-12-34-56 or 5254.0012.3456)");
    }

    /** True when {@link #parse} would accept the text. */
    public static boolean isMac(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static MacAddress of(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    /**
     * The six bytes, the inverse of {@link #of(byte[], int)}. The server copies chaddr from the request
     * it answers, so only what builds requests calls this: tests and the storm harness's DHCP clients.
     */
    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (8 * (5 - i)));
        }
        return b;
    }

    /** {@code 52-54-00-12-34-56}: the spelling of machine file names, URLs and pxelinux/GRUB config names. */
    public String dashed() {
        return spelled('-');
    }

    @Override
    public String toString() {
        return spelled(':');
    }

    /** Every answer prints a MAC or two: spelled out by hand, not through String.format. */
    private String spelled(char separator) {
        char[] out = new char[17];
        for (int i = 0; i < 6; i++) {
            int b = (int) (value >>> (8 * (5 - i))) & 0xFF;
            out[i * 3] = HEX[b >>> 4];
            out[i * 3 + 1] = HEX[b & 0xF];
            if (i < 5) {
                out[i * 3 + 2] = separator;
            }
        }
        return new String(out);
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }
}
