package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.image.Digest;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.Nginx;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Machines whose files name only an install tree ({@code kernelBoot.location}), served by nginx on
 * the boot network as a site's mirror: a tree in the format Fedora publishes ({@code .treeinfo} with
 * [images-x86_64] and [checksums]) holding the lab's kernel and installer initramfs boots to its
 * kickstart, and with nginx stopped an {@code IfNotPresent} machine still boots it from the cache; a
 * tree in Debian's netboot layout (the unmodified {@code linux} and {@code initrd.gz} of
 * {@code debian-installer-12-netboot-amd64}, with the SHA256SUMS sha256sum writes) boots the Debian
 * installer to its preseed; a tree whose initrd does not match its checksum is refused with the
 * checksum error. Logs, consoles and nginx's access logs are kept under target/e2e-tree/.
 */
@OwnLab(seconds = 200)
class InstallTreeEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-tree").toAbsolutePath();
    private static final Path NETBOOT = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration INSTALLER_TIMEOUT = Duration.ofSeconds(420);
    /** The Debian installer goes into low-memory mode below ~800 MB. */
    private static final int INSTALLER_MEMORY_MIB = 1024;
    private static final String FEDORA = "fedora/releases/42/Everything/x86_64/os/";
    private static final String TAMPERED = "tampered/os/";
    private static final String DEBIAN = "debian/dists/bookworm/main/installer-amd64/current/images/";
    private static final MacAddress FEDORA_MAC = MacAddress.parse("52:54:00:15:00:01");
    private static final MacAddress CACHED_MAC = MacAddress.parse("52:54:00:15:00:02");
    private static final MacAddress DEBIAN_MAC = MacAddress.parse("52:54:00:15:00:03");
    private static final MacAddress TAMPERED_MAC = MacAddress.parse("52:54:00:15:00:04");

    private static Installer installer;
    private static BootLab lab;
    /** The site's mirror of the Fedora tree, stopped half-way through its test. */
    private static Nginx mirror;
    /** The mirror of the Debian and the tampered tree, up throughout. */
    private static Nginx otherMirror;

    @BeforeAll
    static void startLabWithMirror() throws Exception {
        installer = Installer.prepare(WORK, Client.SEABIOS_E1000);
        Tools.requireFile(NETBOOT.resolve("initrd.gz"), "debian-installer-12-netboot-amd64");
        Path root = Files.createDirectories(WORK.resolve("mirror"));
        fedoraTree(root.resolve(FEDORA), installer.initrd());
        Path otherRoot = Files.createDirectories(WORK.resolve("other-mirror"));
        byte[] tampered = Files.readAllBytes(installer.initrd());
        tampered[tampered.length / 2] ^= 1;
        fedoraTree(otherRoot.resolve(TAMPERED), installer.initrd());
        Files.write(otherRoot.resolve(TAMPERED).resolve("images/pxeboot/initrd.img"), tampered);
        debianTree(otherRoot.resolve(DEBIAN));

        lab = BootLab.start(WORK, "bft", List.of(DebianNetboot.SITE_NAME_SERVER));
        mirror = Nginx.serveIn(lab.serverNamespace(), BootLab.SERVER_ADDRESS, 8081, root, WORK.resolve("nginx"));
        otherMirror = Nginx.serveIn(lab.serverNamespace(), BootLab.SERVER_ADDRESS, 8082, otherRoot,
                WORK.resolve("other-nginx"));
        String console = installer.kernel().arch().console();
        for (MacAddress mac : List.of(FEDORA_MAC, CACHED_MAC, TAMPERED_MAC)) {
            installer.config().file("machines/" + mac.dashed() + ".yaml",
                    "hostname: tree-" + mac.dashed(),
                    "kernelBoot:",
                    "  location: " + (mac.equals(TAMPERED_MAC) ? otherMirror.url().resolve(TAMPERED)
                            : mirror.url().resolve(FEDORA)),
                    "  locationPullPolicy: IfNotPresent",
                    "  kernelArgs: \"" + BootArtifacts.consoleArgs(console) + " inst.repo={{location}} inst.ks={{kickstartUrl}}"
                            + " bft.marker=tree\"",
                    "kickstart: " + BootAssertions.KICKSTART);
        }
        DebianNetboot.templates(installer, "d-i mirror/http/hostname string {{repoHost}}",
                "d-i mirror/http/directory string {{repoDirectory}}");
        DebianNetboot.treeMachine(installer, DEBIAN_MAC, "debian-tree", otherMirror.url().resolve(DEBIAN));
        lab.startBootferry(installer.config().dir(), installer.tftpRoot());
    }

    /** Fedora's layout: images/pxeboot/, and the .treeinfo Fedora 42 publishes with these files' checksums. */
    private static void fedoraTree(Path os, Path initrd) throws IOException {
        Files.createDirectories(os.resolve("images/pxeboot"));
        Files.copy(installer.kernel().vmlinuz(), os.resolve("images/pxeboot/vmlinuz"));
        Files.copy(initrd, os.resolve("images/pxeboot/initrd.img"));
        String treeinfo;
        try (InputStream in = InstallTreeEndToEndTest.class.getResourceAsStream(
                "/org/bootferry/image/trees/fedora-42-everything-x86_64.treeinfo")) {
            treeinfo = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(os.resolve(".treeinfo"), treeinfo
                .replaceAll("images/pxeboot/vmlinuz = sha256:\\w+", "images/pxeboot/vmlinuz = " + sha(installer.kernel().vmlinuz()))
                .replaceAll("images/pxeboot/initrd.img = sha256:\\w+", "images/pxeboot/initrd.img = " + sha(initrd)));
    }

    /** Debian's installer images: netboot/debian-installer/amd64/ from the package, and SHA256SUMS by sha256sum. */
    private static void debianTree(Path images) throws IOException {
        Path di = Files.createDirectories(images.resolve("netboot/debian-installer/amd64"));
        Files.copy(NETBOOT.resolve("linux"), di.resolve("linux"));
        Files.copy(NETBOOT.resolve("initrd.gz"), di.resolve("initrd.gz"));
        Files.writeString(images.resolve("SHA256SUMS"), Processes.check("sh", "-c", "cd " + images
                + " && sha256sum ./netboot/debian-installer/amd64/initrd.gz ./netboot/debian-installer/amd64/linux"));
    }

    private static String sha(Path file) throws IOException {
        return Digest.of(Files.readAllBytes(file)).toString();
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, InstallTreeEndToEndTest.class, mirror, otherMirror, lab);
    }

    /**
     * One boot fetches the tree's files once; then, with the mirror down, a second IfNotPresent machine
     * of the same tree boots them from the cache.
     */
    @Test
    void machineNamingOnlyAFedoraTreeBootsToItsKickstartAndStillBootsWithTheMirrorDown() throws IOException {
        Boot boot = lab.bootCaptured(Client.SEABIOS_E1000, FEDORA_MAC, WORK.resolve("fedora-tree"), BOOT_TIMEOUT);
        assertBootedWithOwnPlan(boot, FEDORA_MAC, "inst.repo=" + mirror.url().resolve(FEDORA), "bft.marker=none",
                "tree-" + FEDORA_MAC.dashed());
        assertThat(mirror.gets("/" + FEDORA + "images/pxeboot/initrd.img")).as("initrd GETs").isEqualTo(1);

        mirror.stop();
        Boot cached = lab.bootCaptured(Client.SEABIOS_E1000, CACHED_MAC, WORK.resolve("fedora-tree-mirror-down"),
                BOOT_TIMEOUT);
        assertBootedWithOwnPlan(cached, CACHED_MAC, "bft.marker=tree", "bft.marker=none", "tree-" + CACHED_MAC.dashed());
        assertThat(mirror.gets("/" + FEDORA + "images/pxeboot/initrd.img")).as("initrd GETs").isEqualTo(1);
    }

    @Test
    void debianNetbootTreeBootsTheStockInstallerToItsPreseed() throws IOException {
        Path dir = WORK.resolve("debian-tree");
        Boot boot = QemuVm.boot(lab.serverNamespace(), lab.tap(), Client.SEABIOS_E1000, DEBIAN_MAC, dir,
                INSTALLER_TIMEOUT, INSTALLER_MEMORY_MIB);
        System.out.printf("e2e wall time %-28s %5.1f s (%s, exit %d, serial log %s)%n", "debian-tree",
                boot.wallTime().toMillis() / 1000.0, DEBIAN_MAC, boot.exitCode(), boot.serialLog());
        assertThat(boot.stopped()).as("the installer did not power off by itself; %s", boot.serialLog()).isEmpty();
        assertThat(boot.exitCode()).as("QEMU exit code (0 = the guest powered off); %s", boot.serialLog()).isZero();
        List<String> requests = lab.httpRequests(DEBIAN_MAC);
        String files = "GET /files/" + DEBIAN_MAC.dashed() + "/CAPABILITY/";
        assertThat(requests).as("the installer fetched its preseed, then its early_command called back; %s",
                lab.bootferryLog()).containsSubsequence(files + "preseed.cfg 200", files + "early-done 200");
        assertThat(otherMirror.gets("/" + DEBIAN + "SHA256SUMS")).isEqualTo(1);
    }

    /** No QEMU needed: the tampered tree is refused at the kernel's request, with the checksum error. */
    @Test
    void tamperedInitrdIsRefusedWithTheChecksumError() throws IOException {
        String kernel = "http://" + BootLab.SERVER_ADDRESS + "/boot/" + TAMPERED_MAC.dashed() + "/kernel";
        String status = Processes.check(lab.serverNamespace().exec("curl", "-s", "-o",
                WORK.resolve("tampered-answer.txt").toString(), "-w", "%{http_code}", kernel));
        assertThat(status).isEqualTo("503");
        assertThat(Files.readString(WORK.resolve("tampered-answer.txt"))).contains(TAMPERED
                + "images/pxeboot/initrd.img: checksum mismatch, .treeinfo [images-x86_64] lists "
                + sha(installer.initrd()), "nothing was kept");
    }
}
