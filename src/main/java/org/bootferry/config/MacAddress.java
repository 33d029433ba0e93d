package org.bootferry.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An Ethernet MAC address. Accepted in every common spelling ({@code 52:54:00:12:34:56},
 * {@code 52-54-00-12-34-56}, {@code 5254.0012.3456}, {@code 525400123456}, any case); always
 * printed lower-case with colons.
 */
public record MacAddress(long value) implements Comparable<MacAddress> {

    private static final Pattern SEPARATED = Pattern.compile("(?i)[0-9a-f]{2}([:-])[0-9a-f]{2}(\\1[0-9a-f]{2}){4}");
    private static final Pattern CISCO = Pattern.compile("(?i)[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}");
    private static final Pattern BARE = Pattern.compile("(?i)[0-9a-f]{12}");

    public MacAddress {
        if (value < 0 || value > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("MAC address out of range: " + value);
        }
    }

    /** Parses any common spelling; throws {@link IllegalArgumentException} naming the input otherwise. */
    public static MacAddress parse(String text) {
        String s = text.strip();
        if (SEPARATED.matcher(s).matches() || CISCO.matcher(s).matches() || BARE.matcher(s).matches()) {
            return new MacAddress(Long.parseLong(s.replaceAll("[:.-]", ""), 16));
        }
        throw new IllegalArgumentException("not a MAC address: '" + text
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

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (8 * (5 - i)));
        }
        return b;
    }

    /** {@code 52-54-00-12-34-56}: the spelling of machine file names, URLs and pxelinux/GRUB config names. */
    public String dashed() {
        return toString().replace(':', '-');
    }

    @Override
    public String toString() {
        String hex = String.format(Locale.ROOT, "%012x", value);
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(hex, i, i + 2);
        }
        return sb.toString();
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }
}
