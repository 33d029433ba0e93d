package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;

/**
 * What every end-to-end boot must show on its serial console: the installer initramfs of
 * {@link BootArtifacts} ran with the machine's own kernelArgs and fetched the kickstart rendered for
 * that machine.
 */
final class BootAssertions {

    /** The install file the machines of the e2e tests name ({@code kickstart: install.ks}). */
    static final String KICKSTART = "install.ks";

    private BootAssertions() {
    }

    /** Writes the kickstart template whose rendering {@link #assertBootedWithOwnPlan} looks for. */
    static ConfigDir withKickstart(ConfigDir config) {
        return config.file("templates/" + KICKSTART,
                "# kickstart rendered by bootferry",
                "network --hostname={{hostname}}",
                "# machine {{mac}}");
    }

    /**
     * A machine file that boots the test kernel with the installer initramfs: the kickstart URL and
     * {@code marker} on its cmdline, the kernel's messages on serial port {@code console}
     * ({@link BootArtifacts#consoleArgs}). {@code more} are further lines of the file.
     */
    static void installerMachine(ConfigDir config, MacAddress mac, String hostname, String marker, String console,
            Path kernel, Path initrd, String... more) {
        List<String> lines = new ArrayList<>(List.of(
                "hostname: " + hostname,
                "kernelBoot:",
                "  files: {kernel: " + kernel + ", initrd: [" + initrd + "]}",
                "  kernelArgs: \"" + BootArtifacts.consoleArgs(console) + " inst.ks={{kickstartUrl}} " + marker + "\"",
                "kickstart: " + KICKSTART));
        lines.addAll(List.of(more));
        config.file("machines/" + mac.dashed() + ".yaml", lines.toArray(String[]::new));
    }

    /**
     * The guest powered off by itself after printing a cmdline with the per-MAC kickstart URL and
     * {@code ownMarker} but not {@code otherMarker}, and after fetching the kickstart rendered for
     * {@code mac} and {@code hostname}.
     */
    static void assertBootedWithOwnPlan(Boot boot, MacAddress mac, String ownMarker, String otherMarker,
            String hostname) {
        assertBootedWithOwnPlan(boot, BootLab.SERVER_ADDRESS, mac, ownMarker, otherMarker, hostname);
    }

    /**
     * As {@link #assertBootedWithOwnPlan(Boot, MacAddress, String, String, String)}, with the kickstart
     * URL naming {@code server} as a URL's host ({@code [fd13::1]} for IPv6).
     */
    static void assertBootedWithOwnPlan(Boot boot, String server, MacAddress mac, String ownMarker,
            String otherMarker, String hostname) {
        List<String> serial = boot.serial();
        String where = where(boot);
        assertThat(boot.stopped()).as("the boot did not power off by itself; %s", where).isEmpty();

        String cmdline = serial.stream().filter(l -> l.startsWith(BootArtifacts.CMDLINE_MARK)).findFirst()
                .orElseThrow(() -> new AssertionError("the initramfs never printed its cmdline; " + where));
        assertThat(cmdline).as("cmdline of %s; %s", mac, where)
                .containsPattern("inst\\.ks=http://" + Pattern.quote(server) + "(:80)?/ks/" + mac.dashed() + "(/[0-9a-f]{1,15}-[0-9a-f]{32})?( |$)")
                .contains(ownMarker)
                .doesNotContain(otherMarker);

        int begin = indexOfPrefix(serial, BootArtifacts.KICKSTART_BEGIN, where);
        int end = indexOfPrefix(serial, BootArtifacts.KICKSTART_END, where);
        List<String> kickstart = serial.subList(begin + 1, end);
        assertThat(kickstart).as("kickstart fetched by %s; %s", mac, where)
                .contains("network --hostname=" + hostname, "# machine " + mac);
        assertThat(serial.get(end)).as("wget exit status; %s", where).endsWith("rc=0");
        assertThat(boot.exitCode()).as("QEMU exit code (0 = the guest powered off); %s", where).isZero();
    }

    /**
     * EDK2's PXE (NetworkPkg UefiPxeBcDxe) told on the console that it ran over IPv4, got an address of
     * the lab's pool (10.213.0.100-199), {@link BootLab#SERVER_ADDRESS} as its server and ipxe.efi.
     */
    static void assertEdk2Pxe4(Boot boot) {
        assertEdk2Pxe(boot, "IPv4", "10\\.213\\.0\\.1[0-9]{2}", "10\\.213\\.0\\.1");
    }

    /**
     * As {@link #assertEdk2Pxe4} over IPv6: an address of fd13::100-1ff and {@link BootLab#SERVER_ADDRESS6},
     * which EDK2 prints uncompressed and in upper case.
     */
    static void assertEdk2Pxe6(Boot boot) {
        assertEdk2Pxe(boot, "IPv6", "FD13:0:0:0:0:0:0:1[0-9A-F]{2}", "FD13:0:0:0:0:0:0:1");
    }

    /** An IPv6-only lab: neither bootferry's bridge nor the site host's link has an IPv4 address. */
    static void assertNoIpv4OnTheLink(BootLab lab) {
        assertThat(lab.serverNamespace().run("ip", "-4", "addr", "show", "dev", lab.bridge())
                + lab.siteNamespace().run("ip", "-4", "addr", "show", "dev", "eth0")).as("no IPv4 on the link").isBlank();
    }

    private static void assertEdk2Pxe(Boot boot, String family, String station, String server) {
        assertThat(boot.serial()).as("EDK2's PXE over %s: its address, bootferry as server, ipxe.efi; %s", family,
                        where(boot))
                .anyMatch(l -> l.contains(">>Start PXE over " + family))
                .anyMatch(l -> l.matches("\\s*Station IP address is " + station))
                .anyMatch(l -> l.matches("\\s*Server IP address is " + server))
                .anyMatch(l -> l.matches("\\s*NBP filename is ipxe\\.efi"));
    }

    /**
     * OVMF's UEFI HTTP Boot over IPv6 for a machine with {@code httpBoot: true}: PXEv6 ran first and
     * gave up with no boot file (PXE-E21: nothing offered one), then HTTP Boot over IPv6 got an address
     * on the lab's prefix and {@code loaderPath} on {@code server}, and asked bootferry for its size
     * (HEAD) before it fetched it (GET) over IPv6. Bootferry's journal ({@code events}) shows the
     * loader's URL offered to HTTP Boot (http-x64) and no boot file to PXE (efi-x64).
     */
    static void assertHttp6BootAfterPxe6GaveUp(Boot boot, String server, MacAddress mac, String loaderPath,
            Path bootferryLog, Path events) throws IOException {
        List<String> serial = boot.serial();
        String where = where(boot);
        int pxe = indexOf(serial, ">>Start PXE over IPv6");
        int http = indexOf(serial, ">>Start HTTP Boot over IPv6");
        assertThat(pxe).as("PXEv6 runs first; %s", where).isNotNegative();
        assertThat(serial.subList(pxe, http < 0 ? serial.size() : http)).as("PXEv6 gave up without a boot file; %s", where)
                .anyMatch(l -> l.contains("PXE-E"))
                .noneMatch(l -> l.contains("NBP filename"));
        assertThat(http).as("then HTTP Boot over IPv6; %s", where).isGreaterThan(pxe);
        assertThat(serial.subList(http, serial.size())).as("with an address on the lab's prefix and bootferry's URL; %s", where)
                .anyMatch(l -> l.matches("\\s*Station IPv6 address is FD13:0:0:0:0:0:0:1[0-9A-F]{2}"))
                .anyMatch(l -> l.contains("URI: http://" + server + loaderPath));

        List<String> log = Files.readAllLines(bootferryLog, StandardCharsets.UTF_8);
        int head = indexOf(log, "HEAD " + loaderPath + " 200");
        int get = indexOf(log, "GET " + loaderPath + " 200");
        assertThat(head).as("EDK2 asks for the size first (HEAD); %s", bootferryLog).isNotNegative();
        assertThat(log.get(head)).as("over IPv6").contains(" to /[fd13:");
        assertThat(get).as("then downloads it (GET); %s", bootferryLog).isGreaterThan(head);
        List<String> offers = Files.readAllLines(events, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("\"mac\":\"" + mac + "\"") && l.contains("\"stage\":\"dhcp-offer\""))
                .toList();
        assertThat(offers).as("boot files offered: none to PXEv6 (efi-x64), the loader's URL to HTTP Boot (http-x64); %s", events)
                .noneMatch(l -> l.contains("\"detail\":\"efi-x64 over DHCPv6"))
                .anyMatch(l -> l.contains("\"detail\":\"http-x64 over DHCPv6 -> http://" + server + loaderPath + "\""));
    }

    /** Where to look when a boot's assertion fails: its serial log and the log's last lines. */
    static String where(Boot boot) {
        List<String> serial = boot.serial();
        return "serial log " + boot.serialLog() + ", ending:\n  "
                + String.join("\n  ", serial.subList(Math.max(0, serial.size() - 12), serial.size()));
    }

    /** The first line containing {@code text}, or -1. */
    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfPrefix(List<String> lines, String prefix, String where) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with " + prefix + "; " + where);
    }
}
