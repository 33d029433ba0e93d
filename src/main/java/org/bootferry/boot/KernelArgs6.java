package org.bootferry.boot;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The network setting a kernel command line carries for a machine that came over IPv6, unless its
 * machine file or profile set one of its own ({@code ip=}, which they may choose per family with
 * {@code {{#if family == "6"}}}).
 * <ul>
 * <li>dracut (Fedora, RHEL, their installer anaconda): {@code ip=dhcp6} (dracut.cmdline(7), "ip=
 * {dhcp|on|any|dhcp6|auto6|either6|link6|single-dhcp}"). Without it dracut brings the network up
 * only when something on the command line needs it and then with DHCPv4, which an IPv6-only link
 * never answers.
 * <li>The Debian installer reads no {@code ip=}: its netcfg configures IPv6 as the Router
 * Advertisement says (SLAAC, or DHCPv6 with M or O set) as long as {@code netcfg/use_autoconfig}
 * is true, its default (netcfg's templates; "IPv6 support in debian-installer", Philipp Kern).
 * So a command line that preseeds the installer gets nothing added: the equivalent is the default.
 * </ul>
 */
final class KernelArgs6 {

    /** What dracut is told. */
    static final String DRACUT = "ip=dhcp6";
    private static final Pattern OWN_IP = Pattern.compile("(^|\\s)ip=");
    /** Parameters only the Debian installer reads (its preseed aliases and question names). */
    private static final Set<String> DEBIAN_INSTALLER = Set.of("auto", "url", "preseed/url", "preseed/file",
            "auto-install/enable", "priority", "netcfg/choose_interface", "netcfg/use_autoconfig",
            "netcfg/disable_autoconfig", "debian-installer/locale");

    private KernelArgs6() {
    }

    /** {@code cmdline} with {@link #DRACUT} appended when the machine came over IPv6 and nothing says otherwise. */
    static String forFamily(String cmdline, boolean ipv6) {
        if (!ipv6 || OWN_IP.matcher(cmdline).find() || debianInstaller(cmdline)) {
            return cmdline;
        }
        return cmdline.isBlank() ? DRACUT : cmdline + " " + DRACUT;
    }

    private static boolean debianInstaller(String cmdline) {
        for (String word : cmdline.split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0 && (DEBIAN_INSTALLER.contains(word.substring(0, eq)) || word.startsWith("netcfg/"))) {
                return true;
            }
        }
        return false;
    }
}
