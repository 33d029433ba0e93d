package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.junit.jupiter.api.Test;

class BootUrlsTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");
    static final URI SERVER = URI.create("http://10.0.0.1:8080");

    @Test
    void perMachineTftpNamesAreRecognisedInAnySpelling() {
        assertThat(BootUrls.parseTftp("pxelinux.cfg/01-52-54-00-12-34-56")).contains(new BootUrls.PxelinuxConfig(NODE1));
        assertThat(BootUrls.parseTftp("grub/grub.cfg-01-52-54-00-12-34-56")).contains(new BootUrls.GrubConfig(NODE1));
        assertThat(BootUrls.parseTftp("EFI/debian/grub.cfg-01-52-54-00-12-34-56")).contains(new BootUrls.GrubConfig(NODE1));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/kernel")).contains(new BootUrls.BootFileRef(NODE1, Firmware.BIOS, -1));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/initrd")).contains(new BootUrls.BootFileRef(NODE1, Firmware.BIOS, 0));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/initrd/1")).contains(new BootUrls.BootFileRef(NODE1, Firmware.BIOS, 1));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/efi-arm64/kernel"))
                .contains(new BootUrls.BootFileRef(NODE1, Firmware.EFI_ARM64, -1));
        assertThat(BootUrls.parseTftp("PXELINUX.CFG/01-52-54-00-12-34-56")).contains(new BootUrls.PxelinuxConfig(NODE1));
    }

    @Test
    void otherTftpNamesAreNotPerMachine() {
        for (String name : List.of("pxelinux.cfg/default", "pxelinux.cfg/C0A80001", "grub/grub.cfg", "ipxe.efi",
                "52-54-00-12-34-56/kernel/1", "52-54-00-12-34-56/sparc/kernel", "52-54-00-12-34-56/vmlinuz",
                "grub/grub.cfg-01-52-54-00-12-34", "52-54-00-12-34-56/initrd/0")) {
            assertThat(BootUrls.parseTftp(name)).as(name).isEmpty();
        }
    }

    /** Every name and URL built for a machine parses back to what it names, for every firmware. */
    @Test
    void everyBuiltNameAndUrlParsesBackToWhatItNames() throws Exception {
        for (Firmware firmware : Firmware.values()) {
            Machine machine = Machine.of(NODE1, firmware);
            assertThat(BootUrls.parseTftp(BootUrls.tftpKernel(machine).substring(1)))
                    .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), -1));
            assertThat(BootUrls.parseTftp(BootUrls.tftpInitrd(machine, 2).substring(1)))
                    .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), 2));
            assertThat(http(BootUrls.kernel(SERVER, machine))).contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), -1));
            assertThat(http(BootUrls.initrd(SERVER, machine, 0))).contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), 0));
            assertThat(http(BootUrls.initrd(SERVER, machine, 3))).contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), 3));
            assertThat(http(BootUrls.script(SERVER, machine))).contains(new BootUrls.Script(NODE1, firmware));
        }
        assertThat(BootUrls.parseTftp(BootUrls.pxelinuxConfig(NODE1))).contains(new BootUrls.PxelinuxConfig(NODE1));
        assertThat(BootUrls.parseTftp(BootUrls.grubConfig(NODE1))).contains(new BootUrls.GrubConfig(NODE1));
        assertThat(http(BootUrls.kickstart(SERVER, NODE1))).contains(new BootUrls.Kickstart(NODE1));
        assertThat(http(BootUrls.files(SERVER, NODE1).resolve("user-data"))).contains(new BootUrls.InstallFile(NODE1, "user-data"));
        assertThat(http(URI.create(BootUrls.loader(SERVER, "undionly.kpxe", Optional.of(NODE1)))))
                .contains(new BootUrls.Loader("undionly.kpxe", Optional.of(NODE1)));
        assertThat(http(URI.create(BootUrls.loader(SERVER, "ipxe.efi", Optional.empty()))))
                .contains(new BootUrls.Loader("ipxe.efi", Optional.empty()));
    }

    @Test
    void urlsAreThoseMachinesAndScriptsAreHanded() {
        Machine arm = Machine.of(NODE1, Firmware.EFI_ARM64);
        assertThat(BootUrls.kernel(SERVER, arm)).hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/kernel?firmware=efi-arm64");
        assertThat(BootUrls.initrd(SERVER, Machine.of(NODE1, Firmware.BIOS), 1))
                .hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/initrd/1");
        assertThat(BootUrls.script(SERVER, Machine.of(NODE1, Firmware.EFI_X64)))
                .hasToString("http://10.0.0.1:8080/boot.ipxe?mac=52:54:00:12:34:56&firmware=efi-x64");
        assertThat(BootUrls.files(SERVER, NODE1)).hasToString("http://10.0.0.1:8080/files/52-54-00-12-34-56/");
        assertThat(BootUrls.tftpInitrd(arm, 1)).isEqualTo("/52-54-00-12-34-56/efi-arm64/initrd/1");
    }

    @Test
    void serverUrlsPutIpv6LiteralsInBracketsAndLeavePort80Out() throws Exception {
        assertThat(BootUrls.serverUrl(InetAddress.getByName("2001:db8::1"), 8080).toString())
                .startsWith("http://[2001:db8:").endsWith(":1]:8080");
        assertThat(BootUrls.serverUrl(InetAddress.getByName("192.0.2.1"), 80)).hasToString("http://192.0.2.1");
    }

    @Test
    void badMacsFirmwareAndMissingParametersAreMalformedWithTheReason() {
        assertThatThrownBy(() -> BootUrls.parseHttp("/boot.ipxe", Map.of())).isInstanceOf(BootUrls.Malformed.class)
                .hasMessageContaining("missing ?mac=");
        assertThatThrownBy(() -> BootUrls.parseHttp("/ks/zz", Map.of())).isInstanceOf(BootUrls.Malformed.class);
        assertThatThrownBy(() -> BootUrls.parseHttp("/boot/52-54-00-12-34-56/kernel", Map.of("firmware", List.of("sparc"))))
                .isInstanceOf(BootUrls.Malformed.class).hasMessageContaining("unknown firmware 'sparc'");
    }

    @Test
    void pathsThatNameNoBootResourceAreLeftToOtherRoutes() throws Exception {
        for (String path : List.of("/", "/metrics", "/api/machines", "/boot/52-54-00-12-34-56/kernel/1", "/boot.ipxe/x")) {
            assertThat(BootUrls.parseHttp(path, Map.of())).as(path).isEmpty();
        }
    }

    /** HTTP URLs say the firmware only when it is not x86-64; TFTP names only when it is not x86-64 either. */
    private static Firmware firmwareOfPath(Firmware firmware) {
        return firmware.arch() == Firmware.Arch.X86_64 ? Firmware.BIOS : firmware;
    }

    private static Optional<BootUrls.Request> http(URI url) throws BootUrls.Malformed {
        Map<String, List<String>> query = new java.util.LinkedHashMap<>();
        if (url.getQuery() != null) {
            for (String pair : url.getQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], List.of(kv[1]));
            }
        }
        return BootUrls.parseHttp(url.getPath(), query);
    }
}
