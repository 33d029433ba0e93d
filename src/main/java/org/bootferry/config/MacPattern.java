package org.bootferry.config;

import java.util.Locale;
import java.util.regex.Pattern;
import org.bootferry.machine.MacAddress;

/**
 * One entry of a machine file's {@code match: {macs: […]}}: a whole MAC, an OUI (its first three
 * octets, IEEE's organisation prefix, e.g. {@code 52:54:00} for QEMU/KVM), or a prefix of one to
 * five octets ending in {@code :*} ({@code 52:54:00:aa:*}). Only a trailing wildcard is taken: then
 * two entries can match one MAC only if one is a prefix of the other, so "most specific wins" (the
 * longer prefix) always has an answer but for two entries with the same prefix, which validate names.
 *
 * @param prefix the fixed octets, lower case, colon-separated
 * @param octets how many octets are fixed: 6 for a whole MAC; the entry's specificity
 */
public record MacPattern(String prefix, int octets) {

    private static final Pattern OCTETS = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){0,5}");

    /**
     * @throws IllegalArgumentException saying which forms are taken
     */
    public static MacPattern parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace('-', ':');
        boolean glob = t.endsWith(":*");
        String fixed = glob ? t.substring(0, t.length() - 2) : t;
        if (!glob && MacAddress.isMac(text.strip())) {
            return new MacPattern(MacAddress.parse(text.strip()).toString(), 6);
        }
        int octets = (fixed.length() + 1) / 3;
        if (!OCTETS.matcher(fixed).matches() || glob && octets == 6 || !glob && octets != 3) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC (52:54:00:aa:bb:cc), an OUI (52:54:00)"
                    + " or a prefix ending in :* (52:54:00:aa:*)" + (t.indexOf('*') >= 0 && !glob
                            ? "; a * stands only for the octets after a prefix" : ""));
        }
        return new MacPattern(fixed, octets);
    }

    public boolean matches(MacAddress mac) {
        String m = mac.toString();
        return octets == 6 ? m.equals(prefix) : m.startsWith(prefix + ":");
    }

    @Override
    public String toString() {
        return octets == 6 ? prefix : prefix + ":*";
    }
}
