package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Pcap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton's proof: real firmware boots through bootferry. A VM on a bridged network
 * asks for an address (the site's DHCP server answers) and for a boot (bootferry answers by MAC as
 * ProxyDHCP, then TFTP and HTTP); it boots the Debian kernel and the initramfs of its machine file,
 * with that file's kernelArgs, and the initramfs fetches the kickstart rendered for it.
 * Logs, serial consoles and packet captures of every run are kept under target/e2e/.
 */
@OwnLab(seconds = 105)
class BootEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

    private static final MacAddress BIOS_MAC = MacAddress.parse("52:54:00:13:00:01");
    private static final MacAddress UEFI_MAC = MacAddress.parse("52-54-00-13-00-02");

    /** The client packets of each boot, by fixture name. */
    private static final Map<Client, Map<String, byte[]>> FIXTURES = new ConcurrentSkipListMap<>();
    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_EDK2_VIRTIO);
        installer.machine(BIOS_MAC, "bfe-bios-node", "bfe.marker=bios-only-arg");
        installer.machine(UEFI_MAC, "bfe-uefi-node", "bfe.marker=uefi-only-arg");
        lab = installer.startLab("bfe");
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, BootEndToEndTest.class, lab);
    }

    @Test
    void biosMachineWithIpxeRomGetsItsKernelArgsAndKickstart() throws IOException {
        Boot boot = bootAndCapture(Client.SEABIOS_E1000, BIOS_MAC, "seabios", "seabios-ipxe-rom");

        assertBootedWithOwnPlan(boot, BIOS_MAC, "bfe.marker=bios-only-arg", "bfe.marker=uefi-only-arg", "bfe-bios-node");
    }

    @Test
    void uefiMachineGoesThroughEdk2PxeAndTftpToIpxeThenHttp() throws IOException {
        Boot boot = bootAndCapture(Client.OVMF_EDK2_VIRTIO, UEFI_MAC, "edk2-x64", "ipxe-efi-chained");

        assertBootedWithOwnPlan(boot, UEFI_MAC, "bfe.marker=uefi-only-arg", "bfe.marker=bios-only-arg", "bfe-uefi-node");
        // Whether EDK2 also asks on port 4011 is the server's choice (option 43 discovery control),
        // so only the stages every answer leads through are required here.
        assertThat(FIXTURES.get(Client.OVMF_EDK2_VIRTIO).keySet())
                .as("EDK2's path: DISCOVER, TFTP of the ipxe.efi our offer named (size probe, then the transfer), iPXE's DHCP")
                .contains("dhcp/e2e-edk2-x64-discover.bin", "tftp/e2e-edk2-x64-rrq-ipxe.efi-tsize-probe.bin",
                        "tftp/e2e-edk2-x64-rrq-ipxe.efi.bin", "dhcp/e2e-ipxe-efi-chained-discover.bin");
        assertThat(installer.journaledStages(UEFI_MAC)).as("the boot's timeline in state/events.jsonl")
                .containsSubsequence("dhcp-offer", "tftp", "dhcp-offer", "script", "kernel", "initrd", "kickstart");
    }

    /** Boots {@code client} with a capture running; keeps the client packets as codec fixtures. */
    private static Boot bootAndCapture(Client client, MacAddress mac, String firmwareName, String ipxeName)
            throws IOException {
        Path dir = WORK.resolve(client.name().toLowerCase());
        Boot boot = lab.bootCaptured(client, mac, dir, BOOT_TIMEOUT);

        List<Pcap.Datagram> packets = Pcap.udp(dir.resolve("boot.pcap"));
        Map<String, byte[]> fixtures = CaptureFixtures.extract(packets, firmwareName, ipxeName, BootLab.SITE_DHCP_ADDRESS);
        FIXTURES.put(client, fixtures);
        CaptureFixtures.write(fixtures, Path.of(System.getProperty("bootferry.captures", WORK.resolve("captures").toString())));
        return boot;
    }
}
