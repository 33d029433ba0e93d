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
 * IPv6 netboot with bootferry in {@code dhcp6: boot-only} mode beside a site DHCPv6 server, on a
 * network with no IPv4 address anywhere ({@link BootLab#startIpv6Only}). OVMF's PXEv6 (PXEv4
 * switched off by its platform knob) takes its address from the site's dnsmasq and its boot file from
 * bootferry: the PXEClient ADVERTISE, then the REQUEST on UDP 4011 and its REPLY with option 59
 * {@code tftp://[fd13::1]/ipxe.efi} (README "IPv6", measured {@code proxy6-pxe}); TFTP over IPv6.
 *
 * <p>Stock iPXE takes option 59 only from the server that leases its address (it REQUESTs one
 * server and reads only its REPLY), so here the site's server names bootferry's script for the user
 * class iPXE, as the README tells a boot-only site to do: dnsmasq's
 * {@code dhcp-option=tag:ipxe,option6:bootfile-url,http://[fd13::1]/boot.ipxe?mac=${net0/mac}} (iPXE
 * expands the setting in the file name before it fetches it); as that URL carries no capability,
 * the machine is {@code access: open}. iPXE then fetches script, kernel and
 * initrd over HTTP on IPv6, the kernel gets {@code ip=dhcp6} and the kickstart URL with the bracketed
 * address, and the initramfs, with the address the RA gave it, fetches the kickstart over IPv6.
 * Logs, consoles and the capture under target/e2e-ipv6/.
 */
@OwnLab(seconds = 210)
class Ipv6BootOnlyEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-ipv6").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:16:00:01");
    private static final MacAddress HTTP_MAC = MacAddress.parse("52:54:00:16:00:04");
    private static final String HTTP_LOADER_PATH = "/boot/" + HTTP_MAC.dashed() + "/tftp/ipxe.efi";
    private static final String SERVER = "[" + BootLab.SERVER_ADDRESS6 + "]";

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_EDK2_VIRTIO);
        // access: open: the site's static option 59 can carry no per-boot capability, and bootferry
        // serves a machine's script at /boot.ipxe?mac=M only when it needs none.
        installer.machine(MAC, "q6b-node", "q6b.marker=boot-only-v6", "access: open");
        installer.machine(HTTP_MAC, "q6bh-node", "q6bh.marker=http-boot-only-v6", "access: open", "httpBoot: true");
        lab = installer.startIpv6OnlyLab("q6b",
                "dhcp-userclass=set:ipxe,iPXE",
                "dhcp-option=tag:ipxe,option6:bootfile-url,http://" + SERVER + "/boot.ipxe?mac=${net0/mac}");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, Ipv6BootOnlyEndToEndTest.class, lab);
    }

    @Test
    void edk2Pxe6TakesTheSitesAddressAndBootferrysBootFileThenIpxeBootsOverIpv6() throws IOException {
        assertNoIpv4OnTheLink(lab);

        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, MAC, WORK.resolve("ovmf_pxe6"), BOOT_TIMEOUT, QemuVm.NO_PXE4);

        assertBootedWithOwnPlan(boot, SERVER, MAC, "q6b.marker=boot-only-v6", "bfe.marker=", "q6b-node");
        List<String> serial = boot.serial();
        assertEdk2Pxe6(boot);
        assertThat(serial).as("iPXE got the site's option 59 and fetched bootferry's script")
                .contains("Filename: http://" + SERVER + "/boot.ipxe?mac=" + MAC, "http://" + SERVER + "/boot.ipxe... ok");
        assertThat(serial.stream().filter(l -> l.startsWith(BootArtifacts.CMDLINE_MARK)).findFirst().orElseThrow())
                .as("bootferry appends ip=dhcp6 for a machine that came over IPv6").contains(" ip=dhcp6");
        assertThat(serial).as("the initramfs's address, from the RA, that fetched the kickstart")
                .anyMatch(l -> l.matches("ipv6: fd130000000000005054[0-9a-f]{12} flags 00"));

        // TFTP carries no MAC: bootferry finds the client's in the kernel's IPv6 neighbour table
        // (journal/Ipv6Neighbours), where EDK2's Neighbor Solicitation left it.
        assertThat(installer.journaledStages(MAC)).as("bootferry's journal: ADVERTISE, 4011 REPLY, TFTP, then HTTP")
                .containsSubsequence("dhcp-offer", "pxe-ack", "tftp", "script", "kernel", "initrd", "kickstart");
        assertThat(Files.readAllLines(WORK.resolve("state/events.jsonl"), StandardCharsets.UTF_8))
                .as("the 4011 REPLY's option 59").anyMatch(l -> l.contains("\"mac\":\"" + MAC + "\"")
                        && l.contains("over DHCPv6 -> tftp://" + SERVER + "/ipxe.efi"));
        List<String> log = Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
        assertThat(log).as("bootferry.log: EDK2's TFTP over IPv6, in blocks that fit the IPv6 minimum MTU")
                .anyMatch(l -> l.contains("TftpServer: sent 'ipxe.efi' to /[fd13:") && l.contains("blksize 1228"));
        for (String request : List.of("GET /boot.ipxe?mac=" + MAC.toString().replace(":", "%3A") + " 200 ",
                "GET /boot/" + MAC.dashed() + "/kernel 200 ", "GET /ks/" + MAC.dashed() + " 200 ")) {
            assertThat(log).as("bootferry.log: %s from the machine's IPv6 address", request)
                    .anyMatch(l -> l.contains("HttpRouter: " + request) && l.contains(" to /[fd13:"));
        }
    }

    /**
     * UEFI HTTP Boot over IPv6 beside the site's DHCPv6 server: PXEv6 runs first (HTTPv6 cannot be the
     * first boot option, reference/ipv6 {@code http6-first}), gets the site's address, nothing from
     * bootferry for a machine with {@code httpBoot: true}, and gives up; HTTPv6's SOLICIT then gets the
     * site's address and bootferry's boot-only ADVERTISE (16 "HTTPClient", 59 the loader's URL, no IA),
     * which EDK2 merges without a second exchange (reference {@code http6-proxy}); iPXE, its script
     * from the site's option 59, and the kernel as above.
     */
    @Test
    void edk2HttpBootMergesTheSitesAddressWithBootferrysLoaderUrl() throws IOException {
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP6_VIRTIO, HTTP_MAC, WORK.resolve("ovmf_http6"), BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, SERVER, HTTP_MAC, "q6bh.marker=http-boot-only-v6", "q6b.marker=", "q6bh-node");
        assertHttp6BootAfterPxe6GaveUp(boot, SERVER, HTTP_MAC, HTTP_LOADER_PATH, lab.bootferryLog(),
                WORK.resolve("state/events.jsonl"));
        assertThat(installer.journaledStages(HTTP_MAC)).as("bootferry's journal: HTTP Boot's ADVERTISE, then HTTP")
                .containsSubsequence("dhcp-offer", "script", "kernel", "initrd", "kickstart");
    }
}
