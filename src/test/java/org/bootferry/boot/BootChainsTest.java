package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.loader.LoaderImages;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * explain's chains for the loaders admins serve, read from Debian's own files: its iPXE, and its
 * netboot tree with the signed shim and GRUB as the tftproot.
 */
class BootChainsTest {

    private static final Path NETBOOT = Path.of("/usr/lib/debian-installer/images/12/amd64/text");
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path tmp;

    @Test
    void debiansIpxeBootsEveryFirmwareButNoneWithSecureBootOn() throws IOException {
        Map<String, Explanation.Chain> chains = chains("{bios: undionly.kpxe, efi-x64: ipxe.efi}");

        assertThat(chains.get("bios").secureBoot()).isEqualTo("not applicable (BIOS)");
        assertThat(chains.get("efi-x64").stages())
                .isEqualTo("UEFI PXE → iPXE ipxe.efi (TFTP) → script http://10.0.0.1/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe"
                        + "?firmware=efi-x64 → kernel, initrds (HTTP)");
        assertThat(chains.get("efi-x64").secureBoot()).startsWith("refused: ipxe.efi is not signed");
        assertThat(chains.get("http-x64").stages()).startsWith("UEFI HTTP Boot → iPXE ipxe.efi (HTTP) → script");
        assertThat(chains.get("http-x64").secureBoot()).startsWith("refused: ipxe.efi is not signed");
    }

    @Test
    void debiansShimRunsUnderSecureBootAndItsGrubStopsBehindAProxyDhcp() throws IOException {
        Map<String, Explanation.Chain> chains = chains("{efi-x64: debian-installer/amd64/bootnetx64.efi}");

        assertThat(chains.get("efi-x64").stages()).isEqualTo("UEFI PXE → shim debian-installer/amd64/bootnetx64.efi"
                + " (TFTP) → debian-installer/amd64/grubx64.efi (TFTP) → GRUB → /debian-installer/amd64/grub/grub.cfg");
        assertThat(chains.get("efi-x64").secureBoot()).startsWith("stops in GRUB, unless the site DHCP server names"
                + " 10.0.0.1 as next-server: Debian's signed GRUB takes its TFTP server from the DHCP ACK (siaddr)");
        assertThat(chains.get("http-x64").stages()).startsWith("UEFI HTTP Boot → shim debian-installer/amd64/bootnetx64.efi (HTTP)");
        assertThat(chains.get("http-x64").secureBoot()).startsWith("stops in GRUB: under HTTP Boot its root is"
                + " (http,10.0.0.1), and Debian's signed GRUB has no http module");
    }

    @Test
    void debiansShimAndGrubRunUnderSecureBootWhenThisServerIsTheDhcpServer() throws IOException {
        Map<String, Explanation.Chain> chains = chains(List.of("dhcp: {mode: server, pools: [{subnet: 10.0.0.0/24,"
                + " range: 10.0.0.100-10.0.0.200}]}"), "{efi-x64: debian-installer/amd64/bootnetx64.efi}",
                "kernelBoot:", "  files: {kernel: boot/vmlinuz}");

        assertThat(chains.get("efi-x64").secureBoot()).isEqualTo("runs: bootferry's own DHCP ACK names 10.0.0.1 as"
                + " next-server (siaddr), where Debian's signed GRUB reads its config; it boots (put"
                + " config/examples/debian-installer-grub.cfg in place of its grub.cfg)");
        assertThat(chains.get("http-x64").secureBoot()).as("HTTP Boot's GRUB still has no http module")
                .startsWith("stops in GRUB: under HTTP Boot");
    }

    @Test
    void grubRunByTheFirmwareItselfIsRefusedForItIsNotSignedByMicrosoft() throws IOException {
        Map<String, Explanation.Chain> chains = chains("{efi-x64: debian-installer/amd64/grubx64.efi}");

        assertThat(chains.get("efi-x64").stages()).isEqualTo("UEFI PXE → GRUB debian-installer/amd64/grubx64.efi (TFTP)"
                + " → /debian-installer/amd64/grub/grub.cfg-01-52-54-00-12-34-56 → kernel, initrds (TFTP)");
        assertThat(chains.get("efi-x64").secureBoot()).isEqualTo("refused unless its signer's key is in the firmware's"
                + " db: debian-installer/amd64/grubx64.efi is not signed by Microsoft's UEFI CA (a distribution's GRUB"
                + " runs under Secure Boot when its shim loads it)");
    }

    @Test
    void grubOfAMachineWithoutAKernelReadsTheTreesConfigsAndBootsItsMenu() throws IOException {
        Map<String, Explanation.Chain> chains = chains("{efi-x64: ipxe.efi}",
                "loaders: {efi-x64: debian-installer/amd64/grubx64.efi}");

        assertThat(chains.get("efi-x64").stages()).isEqualTo("UEFI PXE → GRUB debian-installer/amd64/grubx64.efi (TFTP)"
                + " → /debian-installer/amd64/grub/grub.cfg-01-52-54-00-12-34-56 (the tftproot's) or"
                + " /debian-installer/amd64/grub/grub.cfg → its own menu");
        assertThat(chains).as("no loader of its own for BIOS: not booted there").doesNotContainKey("bios");
    }

    @Test
    void debiansShimOfAMachineWithoutAKernelBootsItsTreesMenuWhenTheSiteNamesThisServer() throws IOException {
        Map<String, Explanation.Chain> chains = chains("{efi-x64: ipxe.efi}",
                "loaders: {efi-x64: debian-installer/amd64/bootnetx64.efi}");

        assertThat(chains.get("efi-x64").stages()).startsWith("UEFI PXE → shim debian-installer/amd64/bootnetx64.efi");
        assertThat(chains.get("efi-x64").secureBoot()).contains("with that next-server it boots its tree's menu,")
                .doesNotContain("debian-installer-grub.cfg");
    }

    private Map<String, Explanation.Chain> chains(String loaders) throws IOException {
        return chains(loaders, "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
    }

    /** @param machine the lines of the machine's file */
    private Map<String, Explanation.Chain> chains(String loaders, String... machine) throws IOException {
        return chains(List.of(), loaders, machine);
    }

    /**
     * @param server  more lines of server.yaml
     * @param machine the lines of the machine's file
     */
    private Map<String, Explanation.Chain> chains(List<String> server, String loaders, String... machine)
            throws IOException {
        Tools.requireFile(NETBOOT.resolve("debian-installer/amd64/bootnetx64.efi"), "debian-installer-12-netboot-amd64");
        Tools.requireFile(Path.of("/usr/lib/ipxe/ipxe.efi"), "ipxe");
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        List<String> yaml = new ArrayList<>(List.of("advertise: 10.0.0.1", "httpPort: 80", "loaders: " + loaders));
        yaml.addAll(server);
        config.file("server.yaml", yaml.toArray(String[]::new));
        config.file("machines/" + MAC.dashed() + ".yaml", machine);
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot)
                .withLoaderImages(new LoaderImages(LoaderFiles.withDebianIpxe(NETBOOT))));
        return planner.explain(MAC).orElseThrow().chains();
    }
}
