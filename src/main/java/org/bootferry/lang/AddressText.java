package org.bootferry.lang;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An address as a machine reads it back: IPv4 dotted, IPv6 in RFC 5952's recommended form (lower
 * case, the longest run of zero words as {@code ::}) and without a zone. Java's own text of an IPv6
 * address is the long form with the zone ({@code fd42:0:0:0:0:0:0:1%eth0}), which a URL or a log
 * line compared with {@code ip -6 addr} should not carry.
 */
public final class AddressText {

    private AddressText() {
    }

    public static String of(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        // §4.2.2–4.2.3: the longest run of two or more zero words, the first of equal ones, becomes "::".
        int runStart = -1;
        int runLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > runLength) {
                runStart = i;
                runLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                text.append("::");
                i += runLength - 1;
            } else {
                if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                    text.append(':');
                }
                text.append(Integer.toHexString(words[i]));
            }
        }
        return text.toString();
    }
}
