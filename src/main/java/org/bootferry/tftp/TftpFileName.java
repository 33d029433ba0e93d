package org.bootferry.tftp;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns the name in a read request into a safe relative name, or refuses it (ERROR 2). Every source
 * of files sees only names that passed here.
 *
 * <p>A leading '/' means the TFTP root, not the host's root: GRUB asks for
 * {@code /grub/grub.cfg-01-…}, pxelinux and U-Boot send absolute names when their prefix is one, and
 * tftp-hpa (run with {@code -s}) and dnsmasq serve those from their root as well.
 */
public final class TftpFileName {

    /** No boot loader sends longer names; the limit keeps lookups and log lines bounded. */
    public static final int MAX_LENGTH = 255;

    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");

    private TftpFileName() {
    }

    /** The name relative to the root, '/'-separated, without '.', '..' or empty segments. */
    public static String normalise(String requested) throws TftpRefusal {
        if (requested.length() > MAX_LENGTH) {
            throw refuse("a file name of " + requested.length() + " characters is too long (at most " + MAX_LENGTH + ")");
        }
        if (requested.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw refuse("file name '" + printable(requested) + "' contains control characters");
        }
        if (requested.indexOf('\\') >= 0) {
            throw refuse("file name '" + requested + "' contains a backslash; TFTP names are separated by '/'");
        }
        if (PERCENT_ESCAPE.matcher(requested).find()) {
            // We never decode escapes, but a name that decodes to something else in another layer
            // (a proxy, a log viewer, a future HTTP mapping) is an attack, not a file.
            throw refuse("file name '" + requested + "' contains a %-escape; names are taken literally");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : requested.split("/")) {
            if (segment.equals("..")) {
                throw refuse("file name '" + requested + "' contains '..'; only files under the TFTP root are served");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        if (segments.isEmpty()) {
            throw refuse("file name '" + requested + "' names no file");
        }
        return String.join("/", segments);
    }

    /** The name as it can go into a log line: control characters shown as '?'. */
    public static String printable(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_LENGTH + 3));
        for (int i = 0; i < name.length() && i < MAX_LENGTH; i++) {
            char c = name.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return name.length() > MAX_LENGTH ? sb.append("...").toString() : sb.toString();
    }

    private static TftpRefusal refuse(String message) {
        return new TftpRefusal(TftpError.ACCESS_VIOLATION, message);
    }
}
