package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;
import static org.bootferry.e2e.BootAssertions.assertEdk2Pxe4;
import static org.bootferry.e2e.BootAssertions.assertEdk2Pxe6;

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
 * One machine file, one MAC, booted by OVMF twice on a dual-stack link whose DHCPv4 and DHCPv6
 * server is bootferry ({@link Installer#startDualStackServerLab}; Router Advertisements from radvd):
 * once over IPv4 (PXEv6 off by OVMF's platform knob) and once over IPv6 (PXEv4 off). Nothing in the
 * machine file names a family; each boot stays on the family its firmware came over, from the
 * firmware's DHCP to the kickstart.
 *
 * <p>iPXE on such a link configures both families (ifconf waits for every configurator) and takes
 * the script URL from the first settings block that has one: DHCPv4's (order 0) before DHCPv6's
 * ({@code IPV6_ORDER_DHCPV6} = -1; iPXE core/settings.c {@code reprioritise_settings}, net/udp/dhcpv6.c,
 * usr/autoboot.c {@code fetch_next_server_and_filename}; Debian's build of 2019-01-25). So bootferry's
 * DHCPv4 leaves the file out for the iPXE of a machine whose firmware got its loader over DHCPv6
 * moments ago: that iPXE fetches the script URL of bootferry's DHCPv6, with the bracketed address,
 * and the kernel gets {@code ip=dhcp6}. Measured without that rule (2026-12-04): the IPv6 boot's iPXE
 * printed {@code Filename: http://10.213.0.1/…}, and its kernel got no {@code ip=dhcp6} and fetched the
 * kickstart over IPv4. With it, iPXE's {@code Configuring} takes about 4 s instead of 0.2 s: an offer
 * without a boot file makes it wait for a ProxyDHCP offer. Logs, consoles and captures under
 * target/e2e-dual-stack/.
 */
@OwnLab(seconds = 110)
class DualStackEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-dual-stack").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:16:00:10");
    private static final String SERVER4 = BootLab.SERVER_ADDRESS;
    private static final String SERVER6 = "[" + BootLab.SERVER_ADDRESS6 + "]";

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_EDK2_VIRTIO);
        installer.machine(MAC, "bds-node", "bds.marker=dual");
        lab = installer.startDualStackServerLab("bds");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, DualStackEndToEndTest.class, lab);
    }

    @Test
    void oneMachineFileBootsOverIpv4AndThenOverIpv6EachOnItsOwnFamily() throws IOException {
        assertThat(lab.serverNamespace().run("ip", "addr", "show", "dev", lab.bridge()))
                .as("bootferry has both families on the link").contains("inet " + SERVER4 + "/", "inet6 fd13::1/64");

        Boot v4 = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, MAC, WORK.resolve("ovmf_pxe4"), BOOT_TIMEOUT, QemuVm.NO_PXE6);
        List<String> log = log();
        assertBootedWithOwnPlan(v4, SERVER4, MAC, "bds.marker=dual", "q6s.marker=", "bds-node");
        assertEdk2Pxe4(v4);
        assertThat(v4.serial()).as("iPXE's script URL from bootferry's DHCPv4")
                .anyMatch(l -> l.startsWith("Filename: http://" + SERVER4 + "/boot/" + MAC.dashed() + "/"));
        assertThat(cmdline(v4)).as("no ip= added over IPv4").doesNotContain(" ip=");
        assertThat(offers()).as("both offers over DHCPv4: EDK2's loader, iPXE's script")
                .anyMatch(l -> l.contains("\"detail\":\"efi-x64 -> ipxe.efi at 10.213.0.1"))
                .anyMatch(l -> l.contains("\"detail\":\"efi-x64+ipxe -> http://" + SERVER4 + "/boot/" + MAC.dashed() + "/"));
        assertThat(kickstartFetches(log)).as("bootferry.log: the kickstart fetched from the machine's IPv4 address")
                .hasSize(1).allMatch(l -> l.contains(" to /10.213.0.1"));

        Boot v6 = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, MAC, WORK.resolve("ovmf_pxe6"), BOOT_TIMEOUT, QemuVm.NO_PXE4);
        List<String> all = log();
        List<String> sinceV4 = all.subList(log.size(), all.size());
        assertBootedWithOwnPlan(v6, SERVER6, MAC, "bds.marker=dual", "q6s.marker=", "bds-node");
        assertEdk2Pxe6(v6);
        assertThat(v6.serial()).as("iPXE's script URL from bootferry's DHCPv6: its DHCPv4 ACK names no file")
                .anyMatch(l -> l.startsWith("Filename: http://" + SERVER6 + "/boot/" + MAC.dashed() + "/"));
        assertThat(cmdline(v6)).as("bootferry appends ip=dhcp6 for a machine that came over IPv6").contains(" ip=dhcp6");
        assertThat(offers()).as("EDK2's and iPXE's offers over DHCPv6")
                .anyMatch(l -> l.contains("\"detail\":\"efi-x64 over DHCPv6 -> tftp://" + SERVER6 + "/ipxe.efi\""))
                .anyMatch(l -> l.contains("\"detail\":\"efi-x64+ipxe over DHCPv6 -> http://" + SERVER6 + "/boot/"))
                .as("and no second script URL over DHCPv4: iPXE's DHCPv4 offer had no boot file, so no boot event")
                .filteredOn(l -> l.contains("\"detail\":\"efi-x64+ipxe -> ")).hasSize(1);
        assertThat(sinceV4).as("bootferry.log: EDK2's TFTP over IPv6")
                .anyMatch(l -> l.contains("TftpServer: sent 'ipxe.efi' to /[fd13:"));
        assertThat(kickstartFetches(sinceV4)).as("bootferry.log: the kickstart fetched from the machine's IPv6 address")
                .hasSize(1).allMatch(l -> l.contains(" to /[fd13:"));
    }

    private static List<String> log() throws IOException {
        return Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
    }

    private static String cmdline(Boot boot) {
        return boot.serial().stream().filter(l -> l.startsWith(BootArtifacts.CMDLINE_MARK)).findFirst().orElseThrow();
    }

    private static List<String> offers() throws IOException {
        return Files.readAllLines(WORK.resolve("state/events.jsonl"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("\"mac\":\"" + MAC + "\"") && l.contains("\"stage\":\"dhcp-offer\"")).toList();
    }

    private static List<String> kickstartFetches(List<String> log) {
        return log.stream().filter(l -> l.contains("HttpRouter: GET /ks/" + MAC.dashed() + "/") && l.contains(" 200 "))
                .toList();
    }
}
