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
    static final Optional<Capability> NONE = Optional.empty();
    static final Optional<Capability> CAPABILITY = Optional.of(
            Capabilities.of(new byte[32], java.time.Clock.systemUTC()).issue(NODE1));

    @Test
    void perMachineTftpNamesAreRecognisedInAnySpellingAndDirectory() {
        assertThat(BootUrls.parseTftp("pxelinux.cfg/01-52-54-00-12-34-56")).contains(pxelinux("pxelinux.cfg/01-52-54-00-12-34-56"));
        assertThat(BootUrls.parseTftp("debian-installer/amd64/pxelinux.cfg/01-52-54-00-12-34-56"))
                .contains(pxelinux("debian-installer/amd64/pxelinux.cfg/01-52-54-00-12-34-56"));
        assertThat(BootUrls.parseTftp("grub/grub.cfg-01-52-54-00-12-34-56")).contains(grub("grub/grub.cfg-01-52-54-00-12-34-56"));
        assertThat(BootUrls.parseTftp("EFI/debian/grub.cfg-01-52-54-00-12-34-56")).contains(grub("EFI/debian/grub.cfg-01-52-54-00-12-34-56"));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/kernel")).contains(new BootUrls.BootFileRef(NODE1, Firmware.BIOS, -1, NONE));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/initrd")).contains(new BootUrls.BootFileRef(NODE1, Firmware.BIOS, 0, NONE));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/initrd/1")).contains(new BootUrls.BootFileRef(NODE1, Firmware.BIOS, 1, NONE));
        assertThat(BootUrls.parseTftp("52-54-00-12-34-56/efi-arm64/kernel"))
                .contains(new BootUrls.BootFileRef(NODE1, Firmware.EFI_ARM64, -1, NONE));
        assertThat(BootUrls.parseTftp("PXELINUX.CFG/01-52-54-00-12-34-56")).contains(pxelinux("PXELINUX.CFG/01-52-54-00-12-34-56"));
    }

    /** pxelinux's other names (UUID, hex IP prefixes, default) and GRUB's are the tftproot's files. */
    @Test
    void otherTftpNamesAreNotPerMachine() {
        for (String name : List.of("pxelinux.cfg/default", "pxelinux.cfg/C0A80001", "pxelinux.cfg/C0A8",
                "d-i/pxelinux.cfg/a4b3c2d1-0000-4000-8000-525400123456", "grub/grub.cfg", "ipxe.efi",
                "52-54-00-12-34-56/kernel/1", "52-54-00-12-34-56/sparc/kernel", "52-54-00-12-34-56/vmlinuz",
                "grub/grub.cfg-01-52-54-00-12-34", "52-54-00-12-34-56/initrd/0", "pxelinux.cfg/01-52-54-00-12-34-56.bak",
                "d-i/52-54-00-12-34-56/kernel")) {
            assertThat(BootUrls.parseTftp(name)).as(name).isEmpty();
        }
    }

    /** Every name and URL built for a machine parses back to what it names, for every firmware. */
    @Test
    void everyBuiltNameAndUrlParsesBackToWhatItNames() throws Exception {
        for (Firmware firmware : Firmware.values()) {
            Machine machine = Machine.of(NODE1, firmware);
            assertThat(BootUrls.parseTftp(BootUrls.tftpKernel(machine).substring(1)))
                    .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), -1, NONE));
            assertThat(BootUrls.parseTftp(BootUrls.tftpInitrd(machine, 2).substring(1)))
                    .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), 2, NONE));
            assertThat(BootUrls.tftpBootFiles(machine, 2)).containsExactly(BootUrls.tftpKernel(machine),
                    BootUrls.tftpInitrd(machine, 0), BootUrls.tftpInitrd(machine, 1));
            for (Optional<Capability> c : List.of(NONE, CAPABILITY)) {
                assertThat(http(BootUrls.kernel(SERVER, machine, c)))
                        .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), -1, c));
                assertThat(http(BootUrls.initrd(SERVER, machine, 0, c)))
                        .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), 0, c));
                assertThat(http(BootUrls.initrd(SERVER, machine, 3, c)))
                        .contains(new BootUrls.BootFileRef(NODE1, firmwareOfPath(firmware), 3, c));
                assertThat(http(BootUrls.script(SERVER, machine, c))).contains(new BootUrls.Script(NODE1, firmware, c));
            }
        }
        for (String directory : List.of("", "debian-installer/amd64/", "boot/grub/")) {
            String pxelinux = BootUrls.pxelinuxConfig(directory, NODE1);
            String grub = BootUrls.grubConfig(directory, NODE1);
            assertThat(BootUrls.parseTftp(pxelinux)).contains(pxelinux(pxelinux));
            assertThat(BootUrls.parseTftp(grub)).contains(grub(grub));
            // Over HTTP, as a loader handed BootUrls.loader asks for them relative to itself.
            String loader = BootUrls.loader(SERVER, directory + "pxelinux.0", NODE1);
            assertThat(http(URI.create(loader).resolve("pxelinux.cfg/01-" + NODE1.dashed())))
                    .contains(new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, NODE1, pxelinux, BootUrls.Protocol.HTTP));
            assertThat(http(URI.create(loader).resolve("grub.cfg-01-" + NODE1.dashed())))
                    .contains(new BootUrls.LoaderConfigFile(LoaderConfig.Kind.GRUB, NODE1, grub, BootUrls.Protocol.HTTP));
            assertThat(http(URI.create(loader))).contains(new BootUrls.Loader(directory + "pxelinux.0", Optional.of(NODE1)));
            assertThat(http(URI.create(loader).resolve("ldlinux.c32")))
                    .contains(new BootUrls.Loader(directory + "ldlinux.c32", Optional.of(NODE1)));
        }
        for (Optional<Capability> c : List.of(NONE, CAPABILITY)) {
            assertThat(http(BootUrls.kickstart(SERVER, NODE1, c))).contains(new BootUrls.Kickstart(NODE1, c));
            assertThat(http(BootUrls.files(SERVER, NODE1, c).resolve("user-data")))
                    .contains(new BootUrls.InstallFile(NODE1, "user-data", c));
            assertThat(http(BootUrls.done(SERVER, NODE1, c))).contains(new BootUrls.Done(NODE1, c));
        }
    }

    /** A capability goes in the path after the MAC, where an installer's relative fetch keeps it. */
    @Test
    void capabilityUrlsCarryItAsAPathSegment() throws Exception {
        String c = CAPABILITY.get().toString();
        assertThat(c).matches("[0-9a-f]{1,15}-[0-9a-f]{32}");
        assertThat(BootUrls.script(SERVER, Machine.of(NODE1, Firmware.EFI_X64), CAPABILITY))
                .hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/" + c + "/boot.ipxe?firmware=efi-x64");
        assertThat(BootUrls.script(SERVER, Machine.of(NODE1, Firmware.BIOS), CAPABILITY))
                .hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/" + c + "/boot.ipxe");
        assertThat(BootUrls.kickstart(SERVER, NODE1, CAPABILITY)).hasToString("http://10.0.0.1:8080/ks/52-54-00-12-34-56/" + c);
        assertThat(BootUrls.done(SERVER, NODE1, CAPABILITY)).hasToString("http://10.0.0.1:8080/done/52-54-00-12-34-56/" + c);
        URI files = BootUrls.files(SERVER, NODE1, CAPABILITY);
        assertThat(files).hasToString("http://10.0.0.1:8080/files/52-54-00-12-34-56/" + c + "/");
        // cloud-init's NoCloud seed: meta-data and user-data beside the seed URL.
        assertThat(http(files.resolve("meta-data"))).contains(new BootUrls.InstallFile(NODE1, "meta-data", CAPABILITY));
        // A mangled segment still parses, as a capability no check accepts: the request is refused, not misread.
        assertThat(http(URI.create("http://10.0.0.1:8080/ks/52-54-00-12-34-56/not-one")))
                .contains(new BootUrls.Kickstart(NODE1, Optional.of(Capability.HIDDEN)));
        assertThat(Capability.hide("GET /ks/52-54-00-12-34-56/" + c + " from 10.0.0.9"))
                .isEqualTo("GET /ks/52-54-00-12-34-56/CAPABILITY from 10.0.0.9");
    }

    /** What each loader fetches relative to the URL it was handed resolves under the same machine's tftproot. */
    @Test
    void loadersFetchTheirOwnFilesRelativeToTheirUrl() throws Exception {
        String shim = BootUrls.loader(SERVER, "debian-installer/amd64/bootnetx64.efi", NODE1);
        assertThat(shim).isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/tftp/debian-installer/amd64/bootnetx64.efi");
        // shim: its URL up to the last '/', then grubx64.efi (httpboot.c, generate_next_uri).
        String beside = shim.substring(0, shim.lastIndexOf('/') + 1);
        for (String next : List.of("grubx64.efi", "mmx64.efi", "revocations.efi")) {
            assertThat(http(URI.create(beside + next)))
                    .contains(new BootUrls.Loader("debian-installer/amd64/" + next, Optional.of(NODE1)));
        }
        // GRUB: modules under its prefix.
        assertThat(http(URI.create(beside + "grub/x86_64-efi/normal.mod")))
                .contains(new BootUrls.Loader("debian-installer/amd64/grub/x86_64-efi/normal.mod", Optional.of(NODE1)));
        // pxelinux: its URL up to the last character outside [0-9a-z.-] (syslinux pxe.c get_prefix).
        String pxelinux = BootUrls.loader(SERVER, "debian-installer/amd64/pxelinux.0", NODE1);
        assertThat(pxelinuxPrefix(pxelinux)).isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/tftp/debian-installer/amd64/");
        assertThat(http(URI.create(pxelinuxPrefix(pxelinux) + "pxelinux.cfg/01-52-54-00-12-34-56")))
                .contains(new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, NODE1,
                        "debian-installer/amd64/pxelinux.cfg/01-52-54-00-12-34-56", BootUrls.Protocol.HTTP));
    }

    /** iPXE scripts in the wild name {@code /tftp/NAME?mac=M}; EDK2 HTTP Boot URLs an admin wrote, {@code /tftp/NAME}. */
    @Test
    void theOldLoaderUrlsStillParse() throws Exception {
        assertThat(BootUrls.parseHttp("/tftp/undionly.kpxe", Map.of("mac", List.of("52:54:00:12:34:56"))))
                .contains(new BootUrls.Loader("undionly.kpxe", Optional.of(NODE1)));
        assertThat(BootUrls.parseHttp("/tftp/ipxe.efi", Map.of())).contains(new BootUrls.Loader("ipxe.efi", Optional.empty()));
        assertThat(BootUrls.parseHttp("/tftp/d-i/pxelinux.cfg/01-52-54-00-12-34-56", Map.of()))
                .contains(new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, NODE1, "d-i/pxelinux.cfg/01-52-54-00-12-34-56",
                        BootUrls.Protocol.HTTP));
    }

    @Test
    void urlsAreThoseMachinesAndScriptsAreHanded() {
        Machine arm = Machine.of(NODE1, Firmware.EFI_ARM64);
        assertThat(BootUrls.kernel(SERVER, arm, NONE)).hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/kernel?firmware=efi-arm64");
        assertThat(BootUrls.initrd(SERVER, Machine.of(NODE1, Firmware.BIOS), 1, NONE))
                .hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/initrd/1");
        assertThat(BootUrls.script(SERVER, Machine.of(NODE1, Firmware.EFI_X64), NONE))
                .hasToString("http://10.0.0.1:8080/boot.ipxe?mac=52:54:00:12:34:56&firmware=efi-x64");
        assertThat(BootUrls.files(SERVER, NODE1, NONE)).hasToString("http://10.0.0.1:8080/files/52-54-00-12-34-56/");
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
        assertThatThrownBy(() -> BootUrls.parseHttp("/boot/52-54-00-12-34-57/tftp/pxelinux.cfg/01-52-54-00-12-34-56", Map.of()))
                .isInstanceOf(BootUrls.Malformed.class).hasMessageContaining("is the config of 52:54:00:12:34:56, not of 52:54:00:12:34:57");
        assertThatThrownBy(() -> BootUrls.parseHttp("/boot/zz/tftp/pxelinux.0", Map.of())).isInstanceOf(BootUrls.Malformed.class);
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

    private static BootUrls.LoaderConfigFile pxelinux(String name) {
        return new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, NODE1, name, BootUrls.Protocol.TFTP);
    }

    private static BootUrls.LoaderConfigFile grub(String name) {
        return new BootUrls.LoaderConfigFile(LoaderConfig.Kind.GRUB, NODE1, name, BootUrls.Protocol.TFTP);
    }

    /** pxelinux's prefix of a boot file: up to the last character that is not [0-9a-z.-], case-folded. */
    private static String pxelinuxPrefix(String bootFile) {
        int i = bootFile.length() - 1;
        while (i >= 0 && String.valueOf(Character.toLowerCase(bootFile.charAt(i))).matches("[0-9a-z.-]")) {
            i--;
        }
        return bootFile.substring(0, i + 1);
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
