package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * arm64 over IPv6 (TCG): AAVMF's PXEv6 on the IPv6-only provisioning link of
 * {@link Ipv6ServerEndToEndTest} (bootferry the DHCPv6 server, RAs from radvd), the machine file as
 * {@link Arm64BootEndToEndTest}'s: GRUB as {@code efi-arm64} loader, as Debian ships no arm64 iPXE.
 * EDK2 gets its address and {@code tftp://[fd13::1]/grubnetaa64.efi} from bootferry; GRUB sets its
 * interface up from the DHCPv6 REPLY EDK2 cached (Debian's efinet,
 * {@code grub_net_configure_by_dhcpv6_reply}) and fetches its per-MAC config, kernel and initrd over
 * TFTP from the server in its prefix, {@code (tftp,[fd13::1])/grub}; the kernel fetches its kickstart
 * over IPv6. The lab's RAs (router lifetime 0, one every 3-4 s) reach GRUB while it runs: with a
 * lifetime, this GRUB crashes (README "Which firmware boots over IPv6").
 * Logs, console and capture under target/e2e-ipv6-arm64/.
 */
@OwnLab(seconds = 55)
class Ipv6Arm64EndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-ipv6-arm64").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:16:00:65");
    private static final String LOADER = "grubnetaa64.efi";
    private static final String SERVER = "[" + BootLab.SERVER_ADDRESS6 + "]";

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.AAVMF_ARM64_VIRTIO);
        BootArtifacts.grubNetImage(installer.tftpRoot().resolve(LOADER), SERVER);
        installer.machine(MAC, "q6a-arm64-node", "q6a.marker=arm64-v6", "loaders: {efi-arm64: " + LOADER + "}");
        lab = installer.startIpv6ServerLab("q6a");
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
        if (installer != null) {
            installer.printWallTime("Ipv6Arm64EndToEndTest (class)");
        }
    }

    @Test
    void aavmfPxe6GetsGrubFromBootferryThenItsConfigKernelAndKickstartOverIpv6() throws IOException {
        // PXEv4 off, as on x86 (ArmVirtQemu reads the same fw_cfg knob).
        Boot boot = lab.bootCaptured(Client.AAVMF_ARM64_VIRTIO, MAC, WORK.resolve("aavmf_pxe6"), BOOT_TIMEOUT,
                List.of("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n"));

        assertBootedWithOwnPlan(boot, SERVER, MAC, "q6a.marker=arm64-v6", "q6s.marker=", "q6a-arm64-node");
        assertThat(boot.serial()).as("AAVMF's PXE over IPv6 took bootferry's address and boot file")
                .anyMatch(l -> l.contains(">>Start PXE over IPv6"))
                .anyMatch(l -> l.matches("\\s*Station IP address is FD13:0:0:0:0:0:0:1[0-9A-F]{2}"))
                .anyMatch(l -> l.matches("\\s*NBP filename is " + LOADER));
        List<String> log = Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
        for (String file : List.of(LOADER, "grub/grub.cfg-01-" + MAC.dashed(), MAC.dashed() + "/efi-arm64/kernel",
                MAC.dashed() + "/efi-arm64/initrd")) {
            assertThat(log).as("bootferry.log: %s sent over TFTP to the machine's IPv6 address", file)
                    .anyMatch(l -> l.contains("TftpServer: sent '" + file + "' to /[fd13:"));
        }
        assertThat(installer.journaledStages(MAC)).as("bootferry's journal: DHCPv6, then the kickstart")
                .containsSubsequence("dhcp-offer", "kickstart");
    }
}
