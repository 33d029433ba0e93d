package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
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
 * {@code chainload: {ipxe: server}} with real firmware: QEMU's iPXE ROM first chainloads the
 * server's loader over HTTP, and that iPXE, whose MAC just fetched it, gets the script; EDK2's PXE
 * client fetches ipxe.efi over TFTP (recorded by the MAC in the ARP table), so the iPXE it runs gets the
 * script at once, with no second chainload. Logs and consoles under target/e2e-chainload/.
 */
@OwnLab(seconds = 130)
class ChainloadEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-chainload").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress BIOS_MAC = MacAddress.parse("52:54:00:15:00:11");
    private static final MacAddress UEFI_MAC = MacAddress.parse("52:54:00:15:00:12");

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_EDK2_VIRTIO);
        installer.config().file("server.yaml", "chainload: {ipxe: server}");
        for (MacAddress mac : List.of(BIOS_MAC, UEFI_MAC)) {
            installer.machine(mac, "bfh-" + mac.dashed(), "bfh.marker=" + mac.dashed());
        }
        lab = installer.startLab("bfhc");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, ChainloadEndToEndTest.class, lab);
    }

    @Test
    void theIpxeRomChainloadsTheServersLoaderWhichGetsTheScript() throws IOException {
        Boot boot = boot(Client.SEABIOS_E1000, BIOS_MAC);

        assertBootedWithOwnPlan(boot, BIOS_MAC, "bfh.marker=" + BIOS_MAC.dashed(), "bfh.marker=" + UEFI_MAC.dashed(),
                "bfh-" + BIOS_MAC.dashed());
        List<String> requests = lab.httpRequests(BIOS_MAC);
        assertThat(requests).as("bootferry.log, requests of %s", BIOS_MAC).hasSizeGreaterThanOrEqualTo(2);
        assertThat(requests.get(0)).startsWith("GET /boot/" + BIOS_MAC.dashed() + "/tftp/undionly.kpxe ");
        assertThat(requests.get(1)).startsWith("GET /boot/" + BIOS_MAC.dashed() + "/CAPABILITY/boot.ipxe");
        assertThat(boot.serial().stream().filter(l -> l.contains("iPXE initialising devices")).count())
                .as("two iPXEs ran: the ROM's, then the server's undionly.kpxe").isEqualTo(2);
    }

    @Test
    void edk2sTftpFetchIsRecordedSoTheIpxeItRunsGetsTheScriptAtOnce() throws IOException {
        Boot boot = boot(Client.OVMF_EDK2_VIRTIO, UEFI_MAC);

        assertBootedWithOwnPlan(boot, UEFI_MAC, "bfh.marker=" + UEFI_MAC.dashed(), "bfh.marker=" + BIOS_MAC.dashed(),
                "bfh-" + UEFI_MAC.dashed());
        assertThat(lab.httpRequests(UEFI_MAC)).as("bootferry.log, requests of %s", UEFI_MAC)
                .noneMatch(r -> r.contains("/tftp/"))
                .first().asString().startsWith("GET /boot/" + UEFI_MAC.dashed() + "/CAPABILITY/boot.ipxe");
    }

    private static Boot boot(Client client, MacAddress mac) {
        Path dir = WORK.resolve(client.name().toLowerCase());
        Boot boot = QemuVm.boot(lab.serverNamespace(), lab.tap(), client, mac, dir, BOOT_TIMEOUT);
        System.out.printf("e2e wall time %-28s %5.1f s (exit %d, serial log %s)%n", client + " chainload",
                boot.wallTime().toMillis() / 1000.0, boot.exitCode(), boot.serialLog());
        return boot;
    }
}
