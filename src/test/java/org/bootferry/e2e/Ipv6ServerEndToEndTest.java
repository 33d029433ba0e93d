package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;
import static org.bootferry.e2e.BootAssertions.assertEdk2Pxe6;
import static org.bootferry.e2e.BootAssertions.assertHttp6BootAfterPxe6GaveUp;
import static org.bootferry.e2e.BootAssertions.assertNoIpv4OnTheLink;

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
 * IPv6 netboot with bootferry as the network's DHCPv6 server ({@code dhcp6: {mode: server}}) on a
 * provisioning link with no IPv4 address anywhere and no other DHCP server: the site host sends only
 * Router Advertisements (radvd, M=1; {@link BootLab#startIpv6Provisioning}). OVMF's PXEv6 (PXEv4 off
 * by its platform knob) gets its address and {@code tftp://[fd13::1]/ipxe.efi} in one exchange, TFTP
 * over IPv6; iPXE's DHCPv6 gets its address and its script URL (with the machine's capability) from
 * the same server, then script, kernel and initrd over HTTP on IPv6; the kernel gets
 * {@code ip=dhcp6} and fetches its kickstart over IPv6. Logs, console and capture under
 * target/e2e-ipv6-server/.
 */
@OwnLab(seconds = 150)
class Ipv6ServerEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-ipv6-server").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:16:00:02");
    private static final String SERVER = "[" + BootLab.SERVER_ADDRESS6 + "]";
    private static final MacAddress HTTP_MAC = MacAddress.parse("52:54:00:16:00:03");
    private static final String HTTP_LOADER_PATH = "/boot/" + HTTP_MAC.dashed() + "/tftp/ipxe.efi";

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_EDK2_VIRTIO);
        installer.machine(MAC, "q6s-node", "q6s.marker=server-v6");
        installer.machine(HTTP_MAC, "q6h-node", "q6h.marker=http-v6", "httpBoot: true");
        lab = installer.startIpv6ServerLab("q6s");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, Ipv6ServerEndToEndTest.class, lab);
    }

    @Test
    void edk2Pxe6GetsAddressAndBootFileFromBootferryThenIpxeItsScriptAndTheKernelItsKickstart() throws IOException {
        assertNoIpv4OnTheLink(lab);

        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, MAC, WORK.resolve("ovmf_pxe6"), BOOT_TIMEOUT, QemuVm.NO_PXE4);

        assertBootedWithOwnPlan(boot, SERVER, MAC, "q6s.marker=server-v6", "q6b.marker=", "q6s-node");
        List<String> serial = boot.serial();
        assertEdk2Pxe6(boot);
        assertThat(serial).as("iPXE's address from bootferry's pool and its script URL from bootferry's option 59")
                .anyMatch(l -> l.matches("net0: fd13::1[0-9a-f]{2}/64.*"))
                .anyMatch(l -> l.startsWith("Filename: http://" + SERVER + "/boot/" + MAC.dashed() + "/"));
        assertThat(serial.stream().filter(l -> l.startsWith(BootArtifacts.CMDLINE_MARK)).findFirst().orElseThrow())
                .as("bootferry appends ip=dhcp6 for a machine that came over IPv6").contains(" ip=dhcp6");

        assertThat(installer.journaledStages(MAC)).as("bootferry's journal: EDK2's and iPXE's DHCPv6, then HTTP")
                .containsSubsequence("dhcp-offer", "dhcp-offer", "script", "kernel", "initrd", "kickstart");
        List<String> log = Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
        assertThat(log).as("bootferry.log: EDK2's TFTP over IPv6")
                .anyMatch(l -> l.contains("TftpServer: sent 'ipxe.efi' to /[fd13:"));
        assertThat(log).as("bootferry.log: the kickstart fetched from the machine's IPv6 address")
                .anyMatch(l -> l.contains("HttpRouter: GET /ks/" + MAC.dashed() + "/") && l.contains(" 200 ")
                        && l.contains(" to /[fd13:"));
    }

    /**
     * UEFI HTTP Boot over IPv6 for a machine with {@code httpBoot: true}: OVMF without its IPv4 stack
     * runs PXEv6 first (HTTPv6 cannot be the first boot option: reference/ipv6 {@code http6-first}),
     * which gets its address but no boot file and gives up; HTTPv6 then gets an address, 16
     * "HTTPClient" and 59 with the loader's URL, HEADs and GETs it; iPXE and the kernel as above.
     */
    @Test
    void edk2HttpBootOverIpv6FetchesTheLoaderByUrlAfterPxe6GetsNoBootFile() throws IOException {
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP6_VIRTIO, HTTP_MAC, WORK.resolve("ovmf_http6"), BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, SERVER, HTTP_MAC, "q6h.marker=http-v6", "q6s.marker=", "q6h-node");
        assertHttp6BootAfterPxe6GaveUp(boot, SERVER, HTTP_MAC, HTTP_LOADER_PATH, lab.bootferryLog(),
                WORK.resolve("state/events.jsonl"));
        assertThat(installer.journaledStages(HTTP_MAC)).as("bootferry's journal: HTTP Boot's and iPXE's DHCPv6, then HTTP")
                .containsSubsequence("dhcp-offer", "dhcp-offer", "script", "kernel", "initrd", "kickstart");
    }
}
