package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.Commands;
import org.bootferry.testing.OwnLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stock Debian 12 installer ({@link DebianNetboot}) booted through bootferry behind dnsmasq as
 * the site's DHCP server; a boot passes only when the installer fetched and ran its own preseed.
 * Where a stock chain cannot boot behind a ProxyDHCP (Secure Boot's GRUB), the scenario proves why and
 * that {@code explain} says so.
 *
 * <p>A scenario is a row: a firmware, a MAC, the loaders bootferry hands out (e2e wall times are
 * printed per scenario). Adding one is a constant, its entry in
 * {@link #SCENARIOS} and a test method that boots it and asserts {@link #assertRanItsPreseed}. Each
 * boot gets a bootferry of its own on the scenario's loaders; logs and consoles are kept under
 * target/e2e-stock/NAME/.
 */
@OwnLab(seconds = 1100)
class StockInstallerEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-stock").toAbsolutePath();
    private static final String DI = DebianNetboot.DI;
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(420);

    /** Debian's iPXE for every firmware (the server.yaml defaults). */
    private static final String IPXE_LOADERS = "{bios: undionly.kpxe, efi-x64: ipxe.efi}";
    /** Debian's shim for UEFI x86-64 (and HTTP Boot). */
    private static final String SHIM_LOADERS = "{bios: undionly.kpxe, efi-x64: " + DebianNetboot.SHIM + "}";

    /** The tree's own pxelinux.0 (a link at its root) for BIOS; stock pxelinux reads its configs from the root. */
    private static final String PXELINUX_LOADERS = "{bios: pxelinux.0, efi-x64: ipxe.efi}";

    /**
     * One way a machine reaches the installer: the firmware, its MAC, the loaders bootferry hands out
     * and whose iPXE runs the script when the firmware is iPXE already ({@code chainload.ipxe}).
     */
    private record Scenario(String name, Client client, MacAddress mac, String loaders, String chainload) {
        Scenario(String name, Client client, MacAddress mac, String loaders) {
            this(name, client, mac, loaders, "firmware");
        }
    }

    private static final Scenario SEABIOS_IPXE_ROM =
            new Scenario("seabios-ipxe-rom", Client.SEABIOS_E1000, mac(1), IPXE_LOADERS);
    private static final Scenario OVMF_PXE =
            new Scenario("ovmf-pxe-ipxe-efi", Client.OVMF_EDK2_VIRTIO, mac(2), IPXE_LOADERS);
    private static final Scenario OVMF_HTTP_BOOT =
            new Scenario("ovmf-http-boot-ipxe-efi", Client.OVMF_HTTP_VIRTIO, mac(3), IPXE_LOADERS);
    /** Secure Boot where the site's DHCP server names bootferry as next-server for this MAC. */
    private static final Scenario SECURE_BOOT_SITE_NEXT_SERVER =
            new Scenario("secure-boot-shim-site-next-server", Client.OVMF_SECURE_BOOT_VIRTIO, mac(4), SHIM_LOADERS);
    /** Secure Boot behind bootferry's ProxyDHCP alone. */
    private static final Scenario SECURE_BOOT_PROXY =
            new Scenario("secure-boot-shim-proxydhcp", Client.OVMF_SECURE_BOOT_VIRTIO, mac(5), SHIM_LOADERS);
    private static final Scenario SECURE_BOOT_HTTP_BOOT =
            new Scenario("secure-boot-shim-http-boot", Client.OVMF_SECURE_BOOT_HTTP_VIRTIO, mac(6), SHIM_LOADERS);
    private static final Scenario SECURE_BOOT_IPXE =
            new Scenario("secure-boot-ipxe-efi", Client.OVMF_SECURE_BOOT_VIRTIO, mac(7), IPXE_LOADERS);
    /** SeaBIOS's iPXE ROM chainloads the stock tree's pxelinux.0, which boots its per-MAC config. */
    private static final Scenario SEABIOS_PXELINUX =
            new Scenario("seabios-chainload-pxelinux", Client.SEABIOS_E1000, mac(8), PXELINUX_LOADERS, "server");
    /** Every scenario: each gets a machine file for its MAC. */
    private static final List<Scenario> SCENARIOS = List.of(SEABIOS_IPXE_ROM, OVMF_PXE, OVMF_HTTP_BOOT,
            SECURE_BOOT_SITE_NEXT_SERVER, SECURE_BOOT_PROXY, SECURE_BOOT_HTTP_BOOT, SECURE_BOOT_IPXE, SEABIOS_PXELINUX);

    private static Installer installer;
    private static BootLab lab;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_SECURE_BOOT_VIRTIO);
        DebianNetboot.install(installer);
        for (Scenario s : SCENARIOS) {
            DebianNetboot.machine(installer, s.mac(), s.name());
        }
        lab = installer.startLab("bfs",
                DebianNetboot.SITE_NAME_SERVER,
                // A site TFTP server with nothing in it: a loader that asks the site DHCP server's
                // next-server for its files is refused at once, and the site's log names each file.
                "enable-tftp",
                "tftp-root=" + Files.createDirectories(WORK.resolve("site-tftp")),
                "dhcp-host=" + SECURE_BOOT_SITE_NEXT_SERVER.mac() + ",set:bootferry-next-server",
                "dhcp-boot=tag:bootferry-next-server,,," + BootLab.SERVER_ADDRESS);
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, StockInstallerEndToEndTest.class, lab);
    }

    @Test
    void seabiosWithTheIpxeRomRunsTheInstallersPreseed() throws IOException {
        assertRanItsPreseed(SEABIOS_IPXE_ROM, boot(SEABIOS_IPXE_ROM));
    }

    @Test
    void ovmfPxeChainloadsIpxeEfiAndRunsTheInstallersPreseed() throws IOException {
        assertRanItsPreseed(OVMF_PXE, boot(OVMF_PXE));
    }

    @Test
    void ovmfHttpBootRunsTheInstallersPreseed() throws IOException {
        assertRanItsPreseed(OVMF_HTTP_BOOT, boot(OVMF_HTTP_BOOT));
    }

    /**
     * pxelinux hands every name to the iPXE that loaded it, relative to its URL
     * ({@code /boot/M/tftp/pxelinux.0}): the tree's root links ldlinux.c32 and pxelinux.cfg, and
     * bootferry answers {@code pxelinux.cfg/01-M} with the config rendered from the machine's plan.
     */
    @Test
    void seabiosChainloadsTheTreesPxelinuxWhichBootsTheInstallerFromItsPerMacConfig() throws IOException {
        Boot boot = boot(SEABIOS_PXELINUX);

        assertRanItsPreseed(SEABIOS_PXELINUX, boot);
        String mac = SEABIOS_PXELINUX.mac().dashed();
        String tftp = "GET /boot/" + mac + "/tftp/";
        List<String> requests = httpRequests().stream().map(r -> r.replaceAll("^(\\S+ \\S+ \\d+).*", "$1")).toList();
        assertThat(requests).as("bootferry.log").containsSubsequence(tftp + "pxelinux.0 200",
                tftp + "ldlinux.c32 200", tftp + "pxelinux.cfg/01-" + mac + " 200", "GET /boot/" + mac + "/CAPABILITY/kernel 200",
                "GET /boot/" + mac + "/CAPABILITY/initrd 200");
        assertThat(boot.serial()).as("Debian's pxelinux ran; %s", BootAssertions.where(boot)).anyMatch(l -> l.contains("PXELINUX 6.04"));
    }

    @Test
    void secureBootThroughDebiansShimAndGrubRunsThePreseedWhenTheSiteNamesBootferryAsNextServer() throws IOException {
        Boot boot = boot(SECURE_BOOT_SITE_NEXT_SERVER);

        assertRanItsPreseed(SECURE_BOOT_SITE_NEXT_SERVER, boot);
        String mac = SECURE_BOOT_SITE_NEXT_SERVER.mac().dashed();
        assertThat(tftpSent()).as("shim, signed GRUB, the stock grub.cfg, then the machine's config and the "
                + "signed kernel, all from bootferry; bootferry.log").containsSubsequence(DI + "bootnetx64.efi",
                DI + "grubx64.efi", DI + "grub/grub.cfg", DI + "grub/grub.cfg-01-" + mac, mac + "/kernel", mac + "/initrd");
    }

    @Test
    void secureBootBehindTheProxyDhcpAloneStopsInGrubWhichAsksTheSiteDhcpServer() throws IOException {
        Boot boot = boot(SECURE_BOOT_PROXY);

        assertStoppedAtGrubPrompt(boot);
        assertThat(tftpSent()).as("bootferry served shim and the GRUB beside it, and nothing after; bootferry.log")
                .containsExactly(DI + "bootnetx64.efi", DI + "grubx64.efi");
        List<String> site = Files.readAllLines(lab.siteDhcpLog());
        String address = site.stream().filter(l -> l.contains("DHCPACK") && l.contains(SECURE_BOOT_PROXY.mac().toString()))
                .map(l -> l.replaceAll(".*DHCPACK\\([^)]*\\) (\\S+) .*", "$1")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the site DHCP server gave " + SECURE_BOOT_PROXY.mac() + " no address"));
        assertThat(site).as("GRUB asked the site DHCP server's TFTP for its config; %s", lab.siteDhcpLog())
                .anyMatch(l -> l.endsWith("site-tftp/" + DI + "grub/grub.cfg not found for " + address));
        assertThat(explain(SECURE_BOOT_PROXY, "efi-x64")).contains("Secure Boot: stops in GRUB")
                .contains("next-server");
    }

    @Test
    void secureBootOverHttpBootStopsInGrubWhichHasNoHttp() throws IOException {
        Boot boot = boot(SECURE_BOOT_HTTP_BOOT);

        assertStoppedAtGrubPrompt(boot);
        List<String> requests = httpRequests();
        // The boot file's URL is /boot/M/tftp/NAME; shim fetches grubx64.efi beside itself under it.
        String beside = "/boot/" + SECURE_BOOT_HTTP_BOOT.mac().dashed() + "/tftp/" + DI;
        assertThat(requests).as("shim came by HTTP Boot and fetched the GRUB beside it; bootferry.log")
                .anyMatch(r -> r.startsWith("GET " + beside + "bootnetx64.efi 200"))
                .anyMatch(r -> r.matches("GET " + Pattern.quote(beside) + "/*grubx64\\.efi 200.*"));
        assertThat(requests.get(requests.size() - 1)).as("GRUB asked bootferry nothing").contains("grubx64.efi");
        assertThat(tftpSent()).as("no TFTP at all").isEmpty();
        assertThat(explain(SECURE_BOOT_HTTP_BOOT, "http-x64")).contains("Secure Boot: stops in GRUB")
                .contains("no http module");
    }

    @Test
    void secureBootRefusesDebiansUnsignedIpxeEfi() throws IOException {
        Boot boot = boot(SECURE_BOOT_IPXE);

        assertThat(boot.stopped()).as("the firmware refused to run the loader; %s", BootAssertions.where(boot))
                .hasValueSatisfying(r -> assertThat(r).contains("Access Denied"));
        assertThat(tftpSent()).as("bootferry.log").containsExactly("ipxe.efi");
        assertThat(explain(SECURE_BOOT_IPXE, "efi-x64")).contains("Secure Boot: refused: ipxe.efi is not signed");
    }

    /**
     * Boots the scenario's VM with a bootferry of its own, started on the scenario's loaders: its log
     * then holds this boot's requests only (kept as bootferry.log beside the console).
     */
    private static Boot boot(Scenario scenario) throws IOException {
        installer.config().file("server.yaml", "loaders: " + scenario.loaders(), "chainload: {ipxe: " + scenario.chainload() + "}",
                "tftpRoot: " + installer.tftpRoot());
        lab.startBootferry(installer.config().dir(), installer.tftpRoot());
        Path dir = WORK.resolve(scenario.name());
        Boot boot = QemuVm.boot(lab.serverNamespace(), lab.tap(), scenario.client(), scenario.mac(), dir, BOOT_TIMEOUT,
                DebianNetboot.MEMORY_MIB);
        System.out.printf("e2e wall time %-34s %5.1f s (%s, exit %d, serial log %s)%n", scenario.name(),
                boot.wallTime().toMillis() / 1000.0, scenario.mac(), boot.exitCode(), boot.serialLog());
        Files.copy(lab.bootferryLog(), dir.resolve("bootferry.log"), StandardCopyOption.REPLACE_EXISTING);
        return boot;
    }

    private static void assertRanItsPreseed(Scenario scenario, Boot boot) {
        DebianNetboot.assertRanItsPreseed(scenario.mac(), boot, lab.bootferryLog());
    }

    private static void assertStoppedAtGrubPrompt(Boot boot) {
        assertThat(boot.stopped()).as("GRUB found no config and gave its prompt; %s", BootAssertions.where(boot))
                .hasValueSatisfying(r -> assertThat(r).contains("grub>"));
        assertThat(boot.serial()).as("shim started Debian's signed GRUB under Secure Boot; %s", BootAssertions.where(boot))
                .anyMatch(l -> l.contains("GNU GRUB  version 2.06"));
    }

    /** What {@code bootferry explain} prints for the scenario's machine and {@code firmware}. */
    private static String explain(Scenario scenario, String firmware) {
        Commands.Run run = Commands.bootferry("explain", scenario.mac().toString(), "--config",
                installer.config().dir().toString(), "--firmware", firmware);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.out();
    }

    private static List<String> httpRequests() {
        return DebianNetboot.httpRequests(lab.bootferryLog());
    }

    private static List<String> tftpSent() {
        return DebianNetboot.tftpSent(lab.bootferryLog());
    }


    private static MacAddress mac(int n) {
        return MacAddress.parse(String.format("52:54:00:d1:13:%02x", n));
    }
}
