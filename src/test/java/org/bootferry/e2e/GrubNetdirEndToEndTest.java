package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Pcap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code grub-mknetdir} tree of Debian's x86_64-efi GRUB, unmodified, booted by OVMF's own PXE
 * client over TFTP: GRUB loads its modules from {@code boot/grub/x86_64-efi/} and asks for
 * {@code boot/grub/grub.cfg-01-M} under its prefix. A machine with a plan gets that config rendered,
 * naming its kernel and initrd by absolute TFTP paths; a machine without a kernel gets none, and
 * GRUB goes on to the tree's own {@code boot/grub/grub.cfg}. Debian's signed shim (Secure Boot off
 * here) fetches the same GRUB as {@code grubx64.efi} from beside itself, over TFTP and over UEFI HTTP
 * Boot. Logs, consoles and captures under target/e2e-grub/.
 *
 * <p>The site's DHCP server names bootferry as next-server and the loader as boot file, the set-up
 * {@code grub-mknetdir} asks for ("configure your DHCP server to point to …/core.efi"). GRUB 2.06
 * sets up its network from the firmware's cached DHCP ACK alone (Debian's {@code efinet} reads no
 * ProxyDHCP offer), and an ACK of a site server that knows nothing of booting names that server as
 * next-server: behind bootferry's ProxyDHCP only, this GRUB asks the site server for
 * {@code normal.mod} and drops to its rescue shell (seen in this lab's capture: RRQs to the site
 * server's port 69). What GRUB needs behind a ProxyDHCP is the Secure Boot work's question.
 */
@OwnLab(seconds = 225)
class GrubNetdirEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-grub").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final MacAddress PLANNED = MacAddress.parse("52:54:00:18:00:01");
    private static final MacAddress STOCK = MacAddress.parse("52:54:00:18:00:02");
    /** Debian's shim first, which fetches the same GRUB as grubx64.efi beside itself. */
    private static final MacAddress SHIM_TFTP = MacAddress.parse("52:54:00:18:00:03");
    private static final MacAddress SHIM_HTTP = MacAddress.parse("52:54:00:18:00:04");

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_EDK2_VIRTIO);
        Path tftpRoot = installer.tftpRoot();
        String loader = StockLoaders.grubNetdir(tftpRoot);
        String shim = StockLoaders.shim(tftpRoot, "shim", tftpRoot.resolve(loader));
        // The admin's own menu for machines bootferry has no kernel for: kernel and initrd in the tree.
        Files.copy(installer.kernel().vmlinuz(), tftpRoot.resolve("boot/vmlinuz"));
        Files.copy(installer.initrd(), tftpRoot.resolve("boot/initrd.gz"));
        Files.writeString(tftpRoot.resolve("boot/grub/grub.cfg"), String.join("\n",
                "set timeout=1",
                "menuentry 'stock menu of the tree' {",
                "  linux /boot/vmlinuz " + BootArtifacts.consoleArgs("ttyS0") + " inst.ks=http://" + BootLab.SERVER_ADDRESS + "/ks/"
                        + STOCK.dashed() + " bfg.marker=stock-menu",
                "  initrd /boot/initrd.gz",
                "}",
                ""));
        installer.machine(PLANNED, "bfg-planned", "bfg.marker=planned", "loaders: {efi-x64: " + loader + "}");
        installer.config().file("machines/" + STOCK.dashed() + ".yaml", "hostname: bfg-stock",
                "loaders: {efi-x64: " + loader + "}", "kickstart: " + BootAssertions.KICKSTART,
                "access: open"); // its hand-written grub.cfg names the static /ks/M
        for (MacAddress mac : new MacAddress[] {SHIM_TFTP, SHIM_HTTP}) {
            installer.machine(mac, "bfg-shim", "bfg.marker=shim-" + mac.dashed(), "loaders: {efi-x64: " + shim + "}");
        }
        lab = installer.startLab("bfg", "dhcp-host=" + SHIM_TFTP + ",set:shim",
                "dhcp-boot=tag:shim," + shim + ",," + BootLab.SERVER_ADDRESS,
                "dhcp-boot=tag:!shim," + loader + ",," + BootLab.SERVER_ADDRESS);
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, GrubNetdirEndToEndTest.class, lab);
    }

    @Test
    void grubGetsItsModulesAndTheConfigRenderedFromThePlanUnderItsPrefix() throws IOException {
        Path dir = WORK.resolve("planned");
        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, PLANNED, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, PLANNED, "bfg.marker=planned", "bfg.marker=stock-menu", "bfg-planned");
        Map<String, byte[]> tftp = WireCapture.tftpFiles(Pcap.udp(dir.resolve("boot.pcap")));
        String config = "/boot/grub/grub.cfg-01-" + PLANNED.dashed();
        assertThat(tftp.keySet()).as("files TFTP delivered, in order").containsSubsequence(
                "boot/grub/x86_64-efi/core.efi", "/boot/grub/x86_64-efi/normal.mod", config,
                "/" + PLANNED.dashed() + "/kernel", "/" + PLANNED.dashed() + "/initrd");
        assertThat(new String(tftp.get(config), StandardCharsets.UTF_8)).as("the rendered config")
                .contains("linux '/" + PLANNED.dashed() + "/kernel'");
    }

    @Test
    void aMachineWithoutAKernelGetsTheTreesGrubCfgAsItIs() throws IOException {
        Path dir = WORK.resolve("stock");
        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, STOCK, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, STOCK, "bfg.marker=stock-menu", "bfg.marker=planned", "bfg-stock");
        Map<String, byte[]> tftp = WireCapture.tftpFiles(Pcap.udp(dir.resolve("boot.pcap")));
        assertThat(tftp.keySet()).as("files TFTP delivered, in order").containsSubsequence(
                "boot/grub/x86_64-efi/core.efi", "/boot/grub/grub.cfg", "/boot/vmlinuz", "/boot/initrd.gz")
                .doesNotContain("/boot/grub/grub.cfg-01-" + STOCK.dashed());
    }

    /** shim (Secure Boot off here) fetches grubx64.efi over TFTP from the directory it was loaded from. */
    @Test
    void shimOverTftpFetchesGrubBesideItself() throws IOException {
        Path dir = WORK.resolve("shim-tftp");
        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, SHIM_TFTP, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, SHIM_TFTP, "bfg.marker=shim-" + SHIM_TFTP.dashed(), "bfg.marker=planned", "bfg-shim");
        Map<String, byte[]> tftp = WireCapture.tftpFiles(Pcap.udp(dir.resolve("boot.pcap")));
        assertThat(tftp.keySet()).as("files TFTP delivered, in order").containsSubsequence("shim/shimx64.efi",
                "shim/grubx64.efi", "/boot/grub/grub.cfg-01-" + SHIM_TFTP.dashed(), "/" + SHIM_TFTP.dashed() + "/kernel");
    }

    /**
     * UEFI HTTP Boot of shim: its URL up to the last '/', then grubx64.efi (shim asks for
     * {@code shim//grubx64.efi}), under the machine's path; before it, shim's optional files, absent
     * here. This GRUB has no http module in its image ({@code error: disk `http,…' not found}) and
     * stops there, so the boot is cut short once GRUB has run.
     */
    @Test
    void shimOverHttpFetchesGrubBesideItselfUnderTheMachinesPath() throws IOException {
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP_VIRTIO, SHIM_HTTP, WORK.resolve("shim-http"), Duration.ofSeconds(90));

        String beside = "/boot/" + SHIM_HTTP.dashed() + "/tftp/shim/";
        List<String> requests = lab.httpRequests(SHIM_HTTP);
        assertThat(requests).as("bootferry.log, requests of %s", SHIM_HTTP).startsWith("HEAD " + beside + "shimx64.efi 200",
                "GET " + beside + "shimx64.efi 200").contains("GET " + beside + "revocations_sbat.efi 404");
        assertThat(requests.get(requests.size() - 1)).matches("GET " + Pattern.quote(beside) + "/*grubx64\\.efi 200");
        assertThat(boot.serial()).as("GRUB ran").anyMatch(l -> l.contains("Welcome to GRUB!"));
    }
}
