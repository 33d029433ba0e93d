package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Pcap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's own pxelinux.0 (packages {@code pxelinux}, {@code syslinux-common}), unmodified, in a
 * subdirectory of the tftproot as in Debian's netboot tree, booted by QEMU's iPXE ROM over HTTP. The
 * loader's URL is {@code /boot/M/tftp/debian-installer/amd64/pxelinux.0}: pxelinux hands every name
 * it wants to the iPXE that loaded it, relative to that URL, so ldlinux.c32, its config and its menu
 * modules all come from beside it. A machine with a plan of its own gets its config rendered at
 * {@code pxelinux.cfg/01-M}, which boots its kernel by URL; a machine without a kernel gets no
 * such file, and pxelinux goes on (UUID, hex IP prefixes) to the tree's {@code pxelinux.cfg/default},
 * a menu the admin wrote, served as it is. Logs and consoles under target/e2e-pxelinux/.
 */
@OwnLab(seconds = 100)
class PxelinuxEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-pxelinux").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final String DIR = "debian-installer/amd64";
    /** Has a kernel: chainloaded to pxelinux, which gets a config rendered from the plan. */
    private static final MacAddress PLANNED = MacAddress.parse("52:54:00:17:00:01");
    /** Has none: boots pxelinux and the tree's own menu. */
    private static final MacAddress STOCK = MacAddress.parse("52:54:00:17:00:02");
    /** UEFI, with syslinux.efi: OVMF's own PXE client fetches it, and it fetches everything, over TFTP. */
    private static final MacAddress UEFI = MacAddress.parse("52:54:00:17:00:03");

    private static Installer installer;
    private static BootLab lab;
    private static String loader;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.SEABIOS_E1000, Client.OVMF_EDK2_VIRTIO);
        Path tftpRoot = installer.tftpRoot();
        loader = StockLoaders.pxelinux(tftpRoot, DIR);
        String efiLoader = StockLoaders.syslinuxEfi(tftpRoot, "syslinux/efi64");
        // The admin's stock tree: a kernel and initrd beside the loader and a menu naming them
        // relative to it, as pxelinux reads names (its own directory is the prefix).
        Files.copy(installer.kernel().vmlinuz(), tftpRoot.resolve(DIR + "/linux"));
        Files.copy(installer.initrd(), tftpRoot.resolve(DIR + "/initrd.gz"));
        Files.createDirectories(tftpRoot.resolve(DIR + "/pxelinux.cfg"));
        Files.writeString(tftpRoot.resolve(DIR + "/pxelinux.cfg/default"), String.join("\n",
                "UI menu.c32",
                "MENU TITLE stock menu of the tree",
                "TIMEOUT 10",
                "DEFAULT install",
                "LABEL install",
                "  MENU LABEL Install",
                "  KERNEL linux",
                "  APPEND initrd=initrd.gz " + BootArtifacts.consoleArgs("ttyS0") + " inst.ks=http://" + BootLab.SERVER_ADDRESS + "/ks/"
                        + STOCK.dashed() + " bfp.marker=stock-menu",
                ""));
        installer.config().file("server.yaml", "chainload: {ipxe: server}");
        installer.machine(PLANNED, "bfp-planned", "bfp.marker=planned", "loaders: {bios: " + loader + "}");
        installer.machine(UEFI, "bfp-uefi", "bfp.marker=uefi", "loaders: {efi-x64: " + efiLoader + "}");
        installer.config().file("machines/" + STOCK.dashed() + ".yaml", "hostname: bfp-stock",
                "loaders: {bios: " + loader + "}", "kickstart: " + BootAssertions.KICKSTART,
                "access: open"); // its hand-written menu names the static /ks/M
        lab = installer.startLab("bfp");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, PxelinuxEndToEndTest.class, lab);
    }

    @Test
    void chainloadedPxelinuxFetchesBesideItselfAndBootsTheConfigRenderedFromThePlan() throws IOException {
        Boot boot = lab.bootCaptured(Client.SEABIOS_E1000, PLANNED, WORK.resolve("planned"), BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, PLANNED, "bfp.marker=planned", "bfp.marker=stock-menu", "bfp-planned");
        String tftp = "/boot/" + PLANNED.dashed() + "/tftp/" + DIR + "/";
        assertThat(lab.httpRequests(PLANNED)).as("bootferry.log, requests of %s", PLANNED).containsSubsequence(
                "GET " + tftp + "pxelinux.0 200", "GET " + tftp + "ldlinux.c32 200",
                "GET " + tftp + "pxelinux.cfg/01-" + PLANNED.dashed() + " 200",
                "GET /boot/" + PLANNED.dashed() + "/CAPABILITY/kernel 200",
                "GET /boot/" + PLANNED.dashed() + "/CAPABILITY/initrd 200");
        assertThat(boot.serial()).as("pxelinux ran").anyMatch(l -> l.contains("PXELINUX 6.04"));
    }

    @Test
    void aMachineWithoutAKernelBootsTheMenuOfItsTreeAsItIs() throws IOException {
        Boot boot = lab.bootCaptured(Client.SEABIOS_E1000, STOCK, WORK.resolve("stock"), BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, STOCK, "bfp.marker=stock-menu", "bfp.marker=planned", "bfp-stock");
        String tftp = "/boot/" + STOCK.dashed() + "/tftp/" + DIR + "/";
        assertThat(lab.httpRequests(STOCK)).as("bootferry.log, requests of %s", STOCK).containsSubsequence(
                "GET " + tftp + "pxelinux.0 200", "GET " + tftp + "pxelinux.cfg/01-" + STOCK.dashed() + " 404",
                "GET " + tftp + "pxelinux.cfg/default 200", "GET " + tftp + "menu.c32 200",
                "GET " + tftp + "linux 200", "GET " + tftp + "initrd.gz 200", "GET /ks/" + STOCK.dashed() + " 200");
    }

    /**
     * The TFTP side of the same config: syslinux.efi asks for {@code syslinux/efi64/pxelinux.cfg/01-M}
     * in its own directory, and the config names kernel and initrd after {@code ::}, from the root.
     */
    @Test
    void syslinuxEfiFetchesItsConfigOverTftpInItsDirectoryAndTheKernelFromTheRoot() throws IOException {
        Path dir = WORK.resolve("uefi");
        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, UEFI, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, UEFI, "bfp.marker=uefi", "bfp.marker=planned", "bfp-uefi");
        Map<String, byte[]> tftp = WireCapture.tftpFiles(Pcap.udp(dir.resolve("boot.pcap")));
        String config = "syslinux/efi64/pxelinux.cfg/01-" + UEFI.dashed();
        assertThat(tftp.keySet()).as("files TFTP delivered, in order").containsSubsequence("syslinux/efi64/syslinux.efi",
                "syslinux/efi64/ldlinux.e64", config, "/" + UEFI.dashed() + "/kernel", "/" + UEFI.dashed() + "/initrd");
        assertThat(new String(tftp.get(config), StandardCharsets.UTF_8)).contains("KERNEL ::/" + UEFI.dashed() + "/kernel");
    }
}
