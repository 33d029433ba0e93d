package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.Commands;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.OwnLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bootferry as the only DHCP server of a provisioning network ({@code dhcp: {mode: server}},
 * {@link BootLab#startProvisioning}: no other DHCPv4 server anywhere): stock firmware gets the address
 * its machine file reserves and the boot answer in the same OFFER and ACK, on the bridge and behind
 * a relay agent (dnsmasq's {@code dhcp-relay}) on a second subnet; and Debian's signed shim and GRUB
 * under Secure Boot find bootferry from its own ACK and boot the stock installer to its preseed. Logs
 * and consoles under target/e2e-dhcp-server/.
 */
@OwnLab(seconds = 245)
class DhcpServerEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-dhcp-server").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration INSTALLER_TIMEOUT = Duration.ofSeconds(420);
    private static final String PREFIX = "bfds";

    private static final MacAddress SEABIOS = MacAddress.parse("52:54:00:15:00:01");
    private static final String SEABIOS_IP = "10.213.0.21";
    private static final MacAddress OVMF = MacAddress.parse("52:54:00:15:00:02");
    private static final String OVMF_IP = "10.213.0.22";
    /** On the relayed link. */
    private static final MacAddress RELAYED = MacAddress.parse("52:54:00:15:00:03");
    private static final String RELAYED_IP = "10.214.0.23";
    private static final MacAddress SECURE_BOOT = MacAddress.parse("52:54:00:15:00:04");
    private static final String SECURE_BOOT_IP = "10.213.0.24";

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.SEABIOS_E1000, Client.OVMF_EDK2_VIRTIO, Client.OVMF_SECURE_BOOT_VIRTIO);
        DebianNetboot.install(installer);
        installer.config().file("server.yaml",
                "tftpRoot: " + installer.tftpRoot(),
                "dhcp:",
                "  mode: server",
                "  pools:",
                "    - interface: " + PREFIX + "br0",
                "      range: 10.213.0.100-10.213.0.199",
                // The site host routes; the installer asks at critical priority for a default route and
                // name servers when DHCP names none.
                "      router: " + BootLab.SITE_DHCP_ADDRESS,
                "      dns: [" + BootLab.SITE_DHCP_ADDRESS + "]",
                "      domain: lab",
                "      leaseTime: 1h",
                "    - subnet: " + BootLab.RELAYED_SUBNET,
                "      range: 10.214.0.100-10.214.0.199",
                "      router: " + BootLab.RELAY_ADDRESS,
                "      leaseTime: 1h");
        installer.machine(SEABIOS, "bfd-seabios", "bfd.marker=seabios", "ip: " + SEABIOS_IP);
        installer.machine(OVMF, "bfd-ovmf", "bfd.marker=ovmf", "ip: " + OVMF_IP);
        installer.machine(RELAYED, "bfd-relayed", "bfd.marker=relayed", "ip: " + RELAYED_IP);
        DebianNetboot.machine(installer, SECURE_BOOT, "bfd-secure-boot", "ip: " + SECURE_BOOT_IP,
                "loaders: {efi-x64: " + DebianNetboot.SHIM + "}");
        lab = BootLab.startProvisioning(WORK, PREFIX);
        lab.startBootferry(installer.config().dir(), installer.tftpRoot());
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, DhcpServerEndToEndTest.class, lab);
    }

    @Test
    void seabiosWithTheIpxeRomGetsItsReservedAddressAndBootsToItsKickstart() throws IOException {
        Boot boot = lab.bootCaptured(Client.SEABIOS_E1000, SEABIOS, WORK.resolve("seabios"), BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, SEABIOS, "bfd.marker=seabios", "bfd.marker=ovmf", "bfd-seabios");
        assertEveryRequestCameFrom(SEABIOS, SEABIOS_IP, boot);
    }

    @Test
    void ovmfPxeGetsItsReservedAddressAndBootsToItsKickstart() throws IOException {
        Boot boot = lab.bootCaptured(Client.OVMF_EDK2_VIRTIO, OVMF, WORK.resolve("ovmf"), BOOT_TIMEOUT);

        assertBootedWithOwnPlan(boot, OVMF, "bfd.marker=ovmf", "bfd.marker=seabios", "bfd-ovmf");
        assertEveryRequestCameFrom(OVMF, OVMF_IP, boot);
        assertThat(DebianNetboot.tftpSent(lab.bootferryLog())).as("OVMF fetched iPXE from bootferry's ACK alone")
                .contains("ipxe.efi");
    }

    @Test
    void aMachineBehindARelayAgentGetsItsAddressFromTheSubnetsPoolAndBoots() throws IOException {
        Boot boot = boot(lab.siteNamespace(), lab.relayedTap(), Client.SEABIOS_E1000, RELAYED, BOOT_TIMEOUT, 512);

        assertBootedWithOwnPlan(boot, RELAYED, "bfd.marker=relayed", "bfd.marker=seabios", "bfd-relayed");
        assertEveryRequestCameFrom(RELAYED, RELAYED_IP, boot);
        assertThat(Files.readAllLines(lab.siteDhcpLog())).as("the relay agent forwarded it; %s", lab.siteDhcpLog())
                .anyMatch(l -> l.contains("DHCP relay") && l.contains(BootLab.RELAY_ADDRESS));
    }

    /**
     * Debian's signed GRUB takes its TFTP server from the DHCP ACK (siaddr): behind a ProxyDHCP it
     * asks the site DHCP server, which has nothing (StockInstallerEndToEndTest); here the ACK is
     * bootferry's own, so GRUB reads the tree's grub.cfg from bootferry and goes on to its per-MAC config.
     */
    @Test
    void secureBootThroughDebiansShimAndGrubRunsTheInstallersPreseed() throws IOException {
        Boot boot = boot(lab.serverNamespace(), lab.tap(), Client.OVMF_SECURE_BOOT_VIRTIO, SECURE_BOOT, INSTALLER_TIMEOUT,
                DebianNetboot.MEMORY_MIB);

        DebianNetboot.assertRanItsPreseed(SECURE_BOOT, boot, lab.bootferryLog());
        String di = DebianNetboot.DI;
        String mac = SECURE_BOOT.dashed();
        assertThat(DebianNetboot.tftpSent(lab.bootferryLog())).as("shim, signed GRUB, the tree's grub.cfg, the machine's"
                + " config and the signed kernel, all from bootferry; %s", lab.bootferryLog()).containsSubsequence(
                DebianNetboot.SHIM, di + "grubx64.efi", di + "grub/grub.cfg", di + "grub/grub.cfg-01-" + mac,
                mac + "/kernel", mac + "/initrd");
        assertEveryRequestCameFrom(SECURE_BOOT, SECURE_BOOT_IP, boot);
        assertThat(explain(SECURE_BOOT, "efi-x64")).contains("Secure Boot: runs");
    }

    private static Boot boot(NetNamespace ns, String tap, Client client, MacAddress mac, Duration timeout, int memoryMib) {
        Path dir = WORK.resolve(mac.dashed());
        Boot boot = QemuVm.boot(ns, tap, client, mac, dir, timeout, memoryMib);
        System.out.printf("e2e wall time %-28s %5.1f s (%s, exit %d, serial log %s)%n", client,
                boot.wallTime().toMillis() / 1000.0, mac, boot.exitCode(), boot.serialLog());
        return boot;
    }

    /**
     * bootferry's lease journal holds the machine's lease of its reserved address, and every HTTP
     * request naming the machine came from that address: the firmware, its loader and the installer
     * all had it.
     */
    private static void assertEveryRequestCameFrom(MacAddress mac, String ip, Boot boot) throws IOException {
        Path journal = WORK.resolve("state/dhcp/leases.journal");
        assertThat(Files.readAllLines(journal)).as("bootferry leased %s its address; %s", mac, journal)
                .anyMatch(l -> l.startsWith(ip + " " + mac + " "));
        List<String> requests = DebianNetboot.httpRequests(lab.bootferryLog()).stream()
                .filter(r -> r.contains(mac.dashed())).toList();
        assertThat(requests).as("HTTP requests of %s; %s; %s", mac, lab.bootferryLog(), BootAssertions.where(boot))
                .isNotEmpty()
                .allMatch(r -> r.contains(" to /" + ip + ":"));
    }

    private static String explain(MacAddress mac, String firmware) {
        Commands.Run run = Commands.bootferry("explain", mac.toString(), "--config", installer.config().dir().toString(),
                "--firmware", firmware);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.out();
    }
}
