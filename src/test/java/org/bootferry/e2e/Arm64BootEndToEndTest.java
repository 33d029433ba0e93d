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
import java.util.Set;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.dhcp.DhcpMessageType;
import org.bootferry.dhcp.DhcpOption;
import org.bootferry.dhcp.DhcpOptionCode;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.image.Digest;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Pcap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * arm64 through bootferry, all emulated (TCG): QEMU's virt machine with Debian's AAVMF asks for a
 * boot with option 93 = 11 (EFI ARM64); the site's DHCP server gives the address, bootferry's
 * ProxyDHCP offer names the arm64 loader; EDK2 fetches it over TFTP and runs it; the loader fetches
 * the machine's {@code grub/grub.cfg-01-<mac>} and, as it says, the arm64 kernel and initrd over
 * TFTP; the Debian arm64 kernel runs the installer initramfs, which fetches its kickstart over HTTP.
 *
 * <p>The loader is GRUB, not iPXE: Debian ships no arm64 iPXE ({@code ipxe} has x86 binaries only),
 * so bootferry's default arm64 loader {@code snp.efi} is absent, and the test names GRUB in
 * {@code loaders:} as a site without its own iPXE build would. GRUB is built from Debian's
 * {@code grub-efi-arm64-bin} with the boot server in its prefix (see
 * {@link BootArtifacts#grubNetImage}: Debian's prebuilt {@code grubnetaa64.efi} asks the site DHCP
 * server for its config behind a ProxyDHCP). Timings on a 2-core host: firmware to PXE offer ~10 s,
 * GRUB running at ~10 s, the kernel at ~16 s, the kickstart fetched at ~18.5 s.
 * Logs, serial console and capture are kept under target/e2e-arm64/.
 */
@OwnLab(seconds = 95)
class Arm64BootEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-arm64").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:16:00:64");
    private static final String LOADER = "grubnetaa64.efi";
    /** RFC 4578 §2.1 / IANA Processor Architecture Types: ARM 64-bit UEFI. */
    private static final int EFI_ARM64 = 11;

    private static Installer installer;
    private static BootLab lab;
    private static Path loader;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.AAVMF_ARM64_VIRTIO);
        loader = BootArtifacts.grubNetImage(installer.tftpRoot().resolve(LOADER), BootLab.SERVER_ADDRESS);
        installer.config().file("server.yaml", "loaders: {efi-arm64: " + LOADER + "}");
        installer.machine(MAC, "h4a-arm64-node", "h4a.marker=arm64");
        lab = installer.startLab("h4a");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, Arm64BootEndToEndTest.class, lab);
    }

    @Test
    void aavmfPxeGetsTheArm64LoaderOverTftpThenItsGrubConfigKernelAndKickstart() throws IOException {
        Path dir = WORK.resolve("aavmf_arm64_virtio");
        Boot boot = lab.bootCaptured(Client.AAVMF_ARM64_VIRTIO, MAC, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, MAC, "h4a.marker=arm64", "bfe.marker=", "h4a-arm64-node");
        assertThat(boot.serial()).as("EDK2 took the boot file of our offer")
                .anyMatch(l -> l.contains("NBP filename is " + LOADER));

        List<Pcap.Datagram> packets = Pcap.udp(dir.resolve("boot.pcap"));
        DhcpMessage discover = WireCapture.dhcpRequests(packets).stream()
                .filter(m -> m.mac().equals(MAC) && m.messageType().orElseThrow() == DhcpMessageType.DISCOVER)
                .findFirst().orElseThrow(() -> new AssertionError("no DISCOVER from " + MAC));
        assertThat(discover.option(DhcpOptionCode.CLIENT_ARCH).map(DhcpOption::value))
                .as("option 93 of AAVMF's DISCOVER").contains(new byte[] {0, EFI_ARM64});
        DhcpMessage offer = WireCapture.dhcpSentBy(packets, BootLab.SERVER_ADDRESS).stream()
                .filter(m -> m.mac().equals(MAC) && m.messageType().orElseThrow() == DhcpMessageType.OFFER)
                .findFirst().orElseThrow(() -> new AssertionError("bootferry sent no OFFER to " + MAC));
        assertThat(offer.file()).isEqualTo(LOADER);
        assertThat(offer.siaddr().getHostAddress()).isEqualTo(BootLab.SERVER_ADDRESS);
        assertThat(offer.yiaddr()).as("a ProxyDHCP offer carries no address").isEqualTo(DhcpMessage.ZERO);

        String base = MAC.dashed() + "/efi-arm64/";
        Map<String, byte[]> tftp = WireCapture.tftpFiles(packets);
        assertThat(tftp.keySet()).as("files TFTP delivered, in order")
                .containsSubsequence(LOADER, "/grub/grub.cfg-01-" + MAC.dashed(), "/" + base + "kernel", "/" + base + "initrd");
        assertThat(Digest.of(tftp.get(LOADER))).as("the loader EDK2 received").isEqualTo(sha256(loader));
        assertThat(Digest.of(tftp.get("/" + base + "kernel"))).as("the kernel GRUB received")
                .isEqualTo(sha256(installer.kernel().vmlinuz()));
        assertThat(Digest.of(tftp.get("/" + base + "initrd"))).as("the initrd GRUB received")
                .isEqualTo(sha256(installer.initrd()));
        assertThat(new String(tftp.get("/grub/grub.cfg-01-" + MAC.dashed()), StandardCharsets.UTF_8))
                .as("the machine's GRUB config").contains("if [ \"$grub_cpu\" = \"arm64\" ]; then")
                .contains("linux '/" + base + "kernel'").contains("'h4a.marker=arm64'");

        // A file may be journaled twice: GRUB 2.06 looks for its config by opening each candidate and
        // closing it (grub_net_search_config_file), then opens the one found again; when the 408-byte
        // config's one block arrives before that close, GRUB takes and acknowledges it, and the server
        // has delivered it twice (one CI run journaled five TFTP steps; when GRUB closes first, with
        // ERROR 'closed', the server journals nothing for that open).
        Set<String> files = Set.of(LOADER, "grub/grub.cfg-01-" + MAC.dashed(), base + "kernel", base + "initrd");
        List<Installer.Journaled> journal = installer.journalOfTftpBoot(MAC, files);
        assertThat(journal).extracting(Installer.Journaled::stage).as("the boot's timeline in state/events.jsonl")
                .containsSubsequence("dhcp-offer", "tftp", "tftp", "tftp", "tftp", "kickstart");
        assertThat(Installer.tftpFiles(journal)).as("files journaled as TFTP steps: loader, grub.cfg, kernel, initrd")
                .isEqualTo(files);
    }

    private static Digest sha256(Path file) throws IOException {
        return Digest.of(Files.readAllBytes(file));
    }
}
