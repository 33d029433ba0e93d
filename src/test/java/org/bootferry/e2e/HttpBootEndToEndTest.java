package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.dhcp.DhcpMessageType;
import org.bootferry.dhcp.DhcpOption;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Pcap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * UEFI HTTP Boot through bootferry's ProxyDHCP: OVMF with PXE switched off sends an HTTPClient
 * DISCOVER; the site's DHCP server gives the address, bootferry's offer gives option 60 HTTPClient
 * and the loader's URL; EDK2's HttpBootDxe fetches {@code /boot/M/tftp/ipxe.efi} (HEAD, then GET) and runs
 * it; iPXE asks again and gets its script, then kernel, initrd and kickstart. No TFTP at all.
 * Logs, serial console and capture are kept under target/e2e-http/.
 */
@OwnLab(seconds = 100)
class HttpBootEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-http").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:15:00:03");
    private static final String LOADER_PATH = "/boot/" + MAC.dashed() + "/tftp/ipxe.efi";
    private static final String LOADER_URL = "http://" + BootLab.SERVER_ADDRESS + LOADER_PATH;

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_HTTP_VIRTIO);
        installer.machine(MAC, "bfh-http-node", "bfh.marker=http-boot");
        lab = installer.startLab("bfhb");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, HttpBootEndToEndTest.class, lab);
    }

    @Test
    void uefiHttpBootGetsIpxeEfiByUrlThenItsScriptWithoutTftp() throws IOException {
        Path dir = WORK.resolve("ovmf_http_virtio");
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP_VIRTIO, MAC, dir, BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, MAC, "bfh.marker=http-boot", "bfe.marker=", "bfh-http-node");
        assertThat(boot.serial()).as("EDK2's HTTP Boot fetched the URL of our offer")
                .anyMatch(l -> l.contains("URI: " + LOADER_URL));

        List<Pcap.Datagram> packets = Pcap.udp(dir.resolve("boot.pcap"));
        DhcpMessage offer = WireCapture.dhcpSentBy(packets, BootLab.SERVER_ADDRESS).stream()
                .filter(m -> m.messageType().orElseThrow() == DhcpMessageType.OFFER)
                .filter(m -> m.option(60).map(DhcpOption::text).orElse("").equals("HTTPClient"))
                .findFirst().orElseThrow(() -> new AssertionError("bootferry sent no HTTPClient offer"));
        assertThat(offer.option(67).map(DhcpOption::text)).contains(LOADER_URL);
        assertThat(offer.siaddr().getHostAddress()).isEqualTo(BootLab.SERVER_ADDRESS);
        assertThat(offer.yiaddr()).isEqualTo(DhcpMessage.ZERO);
        assertThat(packets).as("no TFTP: HTTP Boot fetches the loader by URL").noneMatch(d -> d.destinationPort() == 69);

        List<String> log = Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
        int head = indexOf(log, "HEAD " + LOADER_PATH + " 200");
        int get = indexOf(log, "GET " + LOADER_PATH + " 200");
        assertThat(head).as("EDK2 asks for the size first (HEAD); bootferry.log").isNotNegative();
        assertThat(get).as("then downloads it (GET) after the HEAD; bootferry.log").isGreaterThan(head);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
