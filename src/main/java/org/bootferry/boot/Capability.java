package org.bootferry.boot;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A machine's per-boot capability as it appears in the path of every private URL it is handed
 * ({@link BootUrls}): {@code EPOCH-TAG}, the second it was issued in hex, then 128 bits of
 * HMAC-SHA256 over the MAC and that second, in hex. {@link Capabilities} issues and checks them.
 * In the path and not in a query string, because loaders and installers resolve relative fetches
 * against their own URL (a query is dropped; see {@link BootUrls}).
 */
public final class Capability {

    /**
     * What explain and the API show in place of a capability (they show URLs, never one that works),
     * and what a path segment that is not a capability reads as: no check accepts it.
     */
    public static final Capability HIDDEN = new Capability(-1, "CAPABILITY");

    /** Hex only, so that no capability is ever a word of the URL scheme ({@code tftp}, {@code kernel}). */
    private static final int TAG_DIGITS = 32;
    private static final Pattern FORM = Pattern.compile("([0-9a-f]{1,15})-([0-9a-f]{" + TAG_DIGITS + "})");
    private static final Pattern IN_TEXT = Pattern.compile("\\b[0-9a-f]{1,15}-[0-9a-f]{" + TAG_DIGITS + "}\\b");

    private final long epoch;
    private final String tag;

    Capability(long epoch, String tag) {
        this.epoch = epoch;
        this.tag = tag;
    }

    /** What a URL's path has where a capability goes: one that no check accepts when it is not of the form. */
    static Capability read(String segment) {
        Matcher m = FORM.matcher(segment);
        return m.matches() ? new Capability(Long.parseLong(m.group(1), 16), m.group(2)) : HIDDEN;
    }

    /** {@code text} with every capability in it replaced by {@code CAPABILITY}: for events and logs. */
    public static String hide(String text) {
        // Every request's URL passes here: the expression runs only on one that has a tag's run of hex.
        return hasTagLength(text) ? IN_TEXT.matcher(text).replaceAll(HIDDEN.tag) : text;
    }

    /** Whether {@code text} has a run of lower-case hex digits as long as a tag. */
    private static boolean hasTagLength(String text) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            run = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' ? run + 1 : 0;
            if (run == TAG_DIGITS) {
                return true;
            }
        }
        return false;
    }

    /** The second it was issued in (Unix time). */
    long epoch() {
        return epoch;
    }

    /** The HMAC, 32 hex digits. */
    String tag() {
        return tag;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Capability c && c.epoch == epoch && c.tag.equals(tag);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + tag.hashCode();
    }

    /** The path segment. */
    @Override
    public String toString() {
        return this == HIDDEN ? tag : Long.toHexString(epoch) + "-" + tag;
    }
}
