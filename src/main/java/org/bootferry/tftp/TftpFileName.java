package org.bootferry.tftp;

import org.bootferry.loader.LoaderFiles;

/**
 * Turns the name in a read request into a safe relative name, or refuses it (ERROR 2), by the rules
 * every loader name follows ({@link LoaderFiles#normalise}). Every source of files sees only names
 * that passed here.
 *
 * <p>A leading '/' means the TFTP root, not the host's root: GRUB asks for
 * {@code /grub/grub.cfg-01-…}, pxelinux and U-Boot send absolute names when their prefix is one, and
 * tftp-hpa (run with {@code -s}) and dnsmasq serve those from their root as well.
 */
public final class TftpFileName {

    private TftpFileName() {
    }

    /** The name relative to the root, '/'-separated, without '.', '..' or empty segments. */
    public static String normalise(String requested) throws TftpRefusal {
        try {
            return LoaderFiles.normalise(requested);
        } catch (LoaderFiles.Refusal e) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, e.getMessage());
        }
    }

    /** The name as it can go into a log line: control characters shown as '?'. */
    public static String printable(String name) {
        return LoaderFiles.printable(name);
    }
}
