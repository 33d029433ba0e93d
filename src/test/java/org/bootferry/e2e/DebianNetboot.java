package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;

/**
 * Debian 12's stock netboot installer ({@code debian-installer-12-netboot-amd64}: its {@code linux},
 * {@code initrd.gz}, pxelinux, signed shim and GRUB, unmodified) in an e2e class's tftproot, and
 * machine files that boot it to a preseed bootferry renders for the MAC ({@code /files/M/preseed.cfg},
 * named by {@code url=} on its command line). That preseed's {@code early_command} fetches
 * {@code /files/M/early-done}, a URL only that machine's preseed names, and powers the VM off: a
 * boot passes {@link #assertRanItsPreseed} only when the installer fetched and ran its own preseed.
 */
final class DebianNetboot {

    /** Where {@code debian-installer-12-netboot-amd64} installs its netboot tree. */
    static final Path TREE = Path.of("/usr/lib/debian-installer/images/12/amd64/text");
    static final String DI = "debian-installer/amd64/";
    /** The installer needs more than the busybox initramfs: below ~800 MB it goes into low-memory mode. */
    static final int MEMORY_MIB = 1024;
    /** Debian's shim, signed by Microsoft, for UEFI x86-64 (and HTTP Boot): what Secure Boot runs. */
    static final String SHIM = DI + "bootnetx64.efi";

    /** For the site DHCP server: the installer asks for name servers at critical priority when DHCP names none. */
    static final String SITE_NAME_SERVER = "dhcp-option=option:dns-server," + BootLab.SITE_DHCP_ADDRESS;

    private DebianNetboot() {
    }

    /**
     * Copies the stock tree into the installer's tftproot as an admin unpacks it, with the one file the
     * README's Secure Boot section replaces (the GRUB config that sends Debian's signed GRUB on to
     * bootferry's per-MAC config), and writes the preseed templates.
     */
    static void install(Installer installer) throws IOException {
        Tools.requireFile(TREE.resolve(DI + "initrd.gz"), "debian-installer-12-netboot-amd64");
        Processes.check("cp", "-a", TREE + "/.", installer.tftpRoot().toString());
        Files.copy(Path.of("config/examples/debian-installer-grub.cfg"), installer.tftpRoot().resolve(DI + "grub/grub.cfg"),
                StandardCopyOption.REPLACE_EXISTING);
        templates(installer);
    }

    /**
     * The preseed template (with {@code more} preseed lines) whose early_command calls back, and the
     * callback's template.
     */
    static void templates(Installer installer, String... more) {
        List<String> preseed = new java.util.ArrayList<>(List.of(
                "# preseed for {{hostname}} ({{mac}}), rendered by bootferry",
                "d-i debian-installer/locale string en_US.UTF-8",
                "d-i keyboard-configuration/xkb-keymap select us",
                "d-i netcfg/choose_interface select auto",
                "d-i netcfg/get_hostname string {{hostname}}",
                "d-i netcfg/get_domain string lab"));
        preseed.addAll(List.of(more));
        preseed.add("d-i preseed/early_command string wget -q -O /dev/null {{filesUrl}}early-done && poweroff -f");
        installer.config().file("templates/stock.preseed", preseed.toArray(String[]::new));
        installer.config().file("templates/early-done", "early_command of {{hostname}} ({{mac}}) ran");
    }

    /** A machine file that boots the stock installer to its preseed; {@code more} are further lines. */
    static void machine(Installer installer, MacAddress mac, String hostname, String... more) {
        machineFile(installer, mac, hostname, "  files: {kernel: " + TREE.resolve(DI + "linux") + ", initrd: ["
                + TREE.resolve(DI + "initrd.gz") + "]}", more);
    }

    /** A machine file that boots the installer of the install tree at {@code location} to its preseed. */
    static void treeMachine(Installer installer, MacAddress mac, String hostname, java.net.URI location) {
        machineFile(installer, mac, hostname, "  location: " + location);
    }

    private static void machineFile(Installer installer, MacAddress mac, String hostname, String kernelSource,
            String... more) {
        List<String> lines = new java.util.ArrayList<>(List.of(
                "hostname: " + hostname,
                "kernelBoot:",
                kernelSource,
                // DEBIAN_FRONTEND=text: plain lines on the serial console rather than newt's boxes;
                // no_timer_check as in BootArtifacts.consoleArgs.
                "  kernelArgs: \"console=ttyS0 no_timer_check auto=true priority=critical url={{filesUrl}}preseed.cfg DEBIAN_FRONTEND=text\"",
                "files: {preseed.cfg: stock.preseed, early-done: early-done}"));
        lines.addAll(List.of(more));
        installer.config().file("machines/" + mac.dashed() + ".yaml", lines.toArray(String[]::new));
    }

    /**
     * The guest powered off by itself after bootferry logged the machine's preseed and then the
     * callback only that preseed names: the installer ran its early_command.
     */
    static void assertRanItsPreseed(MacAddress mac, Boot boot, Path bootferryLog) {
        String where = BootAssertions.where(boot);
        assertThat(boot.stopped()).as("the installer did not power off by itself; %s", where).isEmpty();
        assertThat(boot.exitCode()).as("QEMU exit code (0 = the guest powered off); %s", where).isZero();
        String files = "GET /files/" + mac.dashed() + "/CAPABILITY/";
        List<String> requests = httpRequests(bootferryLog);
        int preseed = indexOf(requests, files + "preseed.cfg 200");
        int callback = indexOf(requests, files + "early-done 200");
        assertThat(preseed).as("the installer fetched its preseed; %s; %s", bootferryLog, where).isNotNegative();
        assertThat(callback).as("then its early_command called back; %s; %s", bootferryLog, where)
                .isGreaterThan(preseed);
    }

    /** The HTTP requests bootferry logged, "METHOD PATH STATUS …". */
    static List<String> httpRequests(Path bootferryLog) {
        return logged(bootferryLog, "HttpRouter: ");
    }

    /** The names bootferry's TFTP sent, in order. */
    static List<String> tftpSent(Path bootferryLog) {
        return logged(bootferryLog, "TftpServer: sent '").stream().map(l -> l.substring(0, l.indexOf('\''))).toList();
    }

    private static List<String> logged(Path log, String marker) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains(marker))
                    .map(l -> l.substring(l.indexOf(marker) + marker.length()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
