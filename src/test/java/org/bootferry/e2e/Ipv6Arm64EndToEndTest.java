package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * arm64 over IPv6 (TCG), in both DHCPv6 modes: AAVMF's PXEv6 on an IPv6-only link, the machine file as
 * {@link Arm64BootEndToEndTest}'s: GRUB as {@code efi-arm64} loader, as Debian ships no arm64 iPXE.
 * EDK2 gets {@code tftp://[fd13::1]/grubnetaa64.efi} from bootferry (as the DHCPv6 server, or in its
 * 4011 REPLY beside the site's dnsmasq); GRUB sets its interface up from the DHCPv6 REPLY EDK2 cached
 * (Debian's efinet, {@code grub_net_configure_by_dhcpv6_reply}) and fetches its per-MAC config, kernel
 * and initrd over TFTP from the server in its prefix, {@code (tftp,[fd13::1])/grub}; the kernel
 * fetches its kickstart over IPv6. The RAs of both labs have router lifetime 0, and reach GRUB while
 * it runs: with a lifetime, this GRUB crashes (README "Which firmware boots over IPv6"). Each test
 * starts its own lab and bootferry. Logs, consoles and captures under target/e2e-ipv6-arm64/.
 */
@OwnLab(seconds = 145)
class Ipv6Arm64EndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-ipv6-arm64").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final MacAddress SERVER_MODE_MAC = MacAddress.parse("52:54:00:16:00:65");
    private static final MacAddress BOOT_ONLY_MAC = MacAddress.parse("52:54:00:16:00:66");
    private static final String LOADER = "grubnetaa64.efi";
    private static final String SERVER = "[" + BootLab.SERVER_ADDRESS6 + "]";

    private static Installer installer;

    @BeforeAll
    static void prepare() throws IOException {
        installer = Installer.prepare(WORK, Client.AAVMF_ARM64_VIRTIO);
        BootArtifacts.grubNetImage(installer.tftpRoot().resolve(LOADER), SERVER);
        installer.machine(SERVER_MODE_MAC, "q6a-arm64-node", "q6a.marker=arm64-v6",
                "loaders: {efi-arm64: " + LOADER + "}");
        installer.machine(BOOT_ONLY_MAC, "q6c-arm64-node", "q6c.marker=arm64-v6-boot-only",
                "loaders: {efi-arm64: " + LOADER + "}");
    }

    @AfterAll
    static void printWallTime() throws Exception {
        Installer.finish(installer, Ipv6Arm64EndToEndTest.class);
    }

    /** bootferry the link's DHCPv6 server, RAs from radvd ({@link Ipv6ServerEndToEndTest}'s lab). */
    @Test
    void aavmfPxe6GetsAddressAndGrubFromBootferryThenItsConfigKernelAndKickstartOverIpv6() throws IOException {
        try (BootLab lab = installer.startIpv6ServerLab("q6a")) {
            Boot boot = lab.bootCaptured(Client.AAVMF_ARM64_VIRTIO, SERVER_MODE_MAC, WORK.resolve("aavmf_pxe6"),
                    BOOT_TIMEOUT, QemuVm.NO_PXE4);

            assertGrubBootedOverIpv6(lab, boot, SERVER_MODE_MAC, "q6a.marker=arm64-v6", "q6c.marker=", "q6a-arm64-node");
        }
    }

    /**
     * bootferry in boot-only mode beside the site's dnsmasq, whose RAs get router lifetime 0
     * ({@code ra-param}); EDK2 takes the site's address and bootferry's boot file from its 4011 REPLY.
     */
    @Test
    void aavmfPxe6BesideTheSitesDhcp6ServerGetsGrubFromBootferrysReplyOn4011() throws IOException {
        try (BootLab lab = installer.startIpv6OnlyLab("q6c", "ra-param=eth0,4,0")) {
            Boot boot = lab.bootCaptured(Client.AAVMF_ARM64_VIRTIO, BOOT_ONLY_MAC, WORK.resolve("aavmf_pxe6_boot_only"),
                    BOOT_TIMEOUT, QemuVm.NO_PXE4);

            assertGrubBootedOverIpv6(lab, boot, BOOT_ONLY_MAC, "q6c.marker=arm64-v6-boot-only", "q6a.marker=",
                    "q6c-arm64-node");
            assertThat(installer.journaledStages(BOOT_ONLY_MAC)).as("bootferry's journal: ADVERTISE, then the 4011 REPLY")
                    .containsSubsequence("dhcp-offer", "pxe-ack");
        }
    }

    private static void assertGrubBootedOverIpv6(BootLab lab, Boot boot, MacAddress mac, String ownMarker,
            String otherMarker, String hostname) throws IOException {
        assertBootedWithOwnPlan(boot, SERVER, mac, ownMarker, otherMarker, hostname);
        assertThat(boot.serial()).as("AAVMF's PXE over IPv6 took an address and bootferry's boot file")
                .anyMatch(l -> l.contains(">>Start PXE over IPv6"))
                .anyMatch(l -> l.matches("\\s*Station IP address is FD13:0:0:0:0:0:0:1[0-9A-F]{2}"))
                .anyMatch(l -> l.matches("\\s*NBP filename is " + LOADER));
        String base = mac.dashed() + "/efi-arm64/";
        Set<String> files = Set.of(LOADER, "grub/grub.cfg-01-" + mac.dashed(), base + "kernel", base + "initrd");
        List<Installer.Journaled> journal = installer.journalOfTftpBoot(mac, files);
        assertThat(journal).extracting(Installer.Journaled::stage).as("bootferry's journal: DHCPv6, then the kickstart")
                .containsSubsequence("dhcp-offer", "kickstart");
        assertThat(Installer.tftpFiles(journal)).as("files journaled as TFTP steps").isEqualTo(files);
        // A file whose last ACK never came is logged "sent all of '<file>' to ..., unconfirmed".
        List<String> log = Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
        for (String file : files) {
            assertThat(log).as("bootferry.log: %s sent over TFTP to the machine's IPv6 address", file)
                    .anyMatch(l -> l.contains("TftpServer: sent '" + file + "' to /[fd13:")
                            || l.contains("TftpServer: sent all of '" + file + "' to /[fd13:"));
        }
    }
}
