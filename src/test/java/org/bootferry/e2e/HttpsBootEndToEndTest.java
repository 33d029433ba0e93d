package org.bootferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.e2e.BootAssertions.assertBootedWithOwnPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bootferry.e2e.QemuVm.Boot;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.server.CertificateAuthority;
import org.bootferry.testing.Commands;
import org.bootferry.testing.OwnLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * UEFI HTTP Boot over HTTPS: bootferry with an {@code https:} section makes its CA in state/tls/ and
 * hands OVMF's HTTPClient DISCOVER an {@code https://} loader URL. Given that CA as QEMU's
 * {@code -fw_cfg name=etc/edk2/https/cacerts} (what {@code bootferry ca export --format efi}
 * prints; OvmfPkg's TlsAuthConfigLib makes it the TlsCaCertificate variable HttpDxe trusts), OVMF
 * fetches ipxe.efi over TLS and runs it, and iPXE boots the machine's plan over plain http. Without
 * a CA, or with another, OVMF refuses the server and boots nothing. Logs and serial consoles are under
 * target/e2e-https/.
 */
@OwnLab(seconds = 95)
class HttpsBootEndToEndTest {

    private static final Path WORK = Path.of("target", "e2e-https").toAbsolutePath();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final MacAddress MAC = MacAddress.parse("52:54:00:15:00:07");
    private static final String LOADER_PATH = "/boot/" + MAC.dashed() + "/tftp/ipxe.efi";
    private static final String LOADER_URL = "https://" + BootLab.SERVER_ADDRESS + LOADER_PATH;

    private static Installer installer;
    private static BootLab lab;
    private static Path cacerts;

    @BeforeAll
    static void startLab() throws IOException {
        installer = Installer.prepare(WORK, Client.OVMF_HTTP_VIRTIO);
        installer.machine(MAC, "bfs-https-node", "bfs.marker=https-boot");
        installer.config().file("server.yaml", "https: {port: 443}");
        lab = installer.startLab("bfhs");
        Commands.Run export = Commands.bootferry("ca", "export", "--format", "efi", "--config",
                installer.config().dir().toString());
        assertThat(export.exit()).as(export.err()).isZero();
        cacerts = Files.write(WORK.resolve("cacerts.esl"), export.outBytes());
    }

    @AfterAll
    static void stopLab() throws Exception {
        Installer.finish(installer, HttpsBootEndToEndTest.class, lab);
    }

    @Test
    void ovmfGivenTheExportedCaFetchesIpxeOverTlsAndBootsThePlan() throws IOException {
        Path dir = WORK.resolve("with-ca");
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP_VIRTIO, MAC, dir, BOOT_TIMEOUT,
                List.of("-fw_cfg", "name=etc/edk2/https/cacerts,file=" + cacerts));

        assertThat(boot.serial()).as("EDK2's HTTP Boot fetched the https URL of our offer")
                .anyMatch(l -> l.contains("URI: " + LOADER_URL));
        assertThat(boot.serial()).as("the NBP, iPXE, ran").anyMatch(l -> l.contains("iPXE initialising devices"));
        assertBootedWithOwnPlan(boot, MAC, "bfs.marker=https-boot", "bfe.marker=", "bfs-https-node");
        assertThat(Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8)).as("bootferry.log")
                .anyMatch(l -> l.contains("GET " + LOADER_PATH + " 200 ") && l.endsWith(" over TLS"));
    }

    /**
     * EDK2's HttpDxe does not even connect: TlsConfigureSession fails when the TlsCaCertificate
     * variable is missing (NetworkPkg/HttpDxe/HttpsSupport.c, TlsConfigCertificate returns
     * EFI_NOT_FOUND), so bootferry sees no connection.
     */
    @Test
    void ovmfWithoutACaRefusesHttpsBeforeConnecting() throws IOException {
        int logged = logLines().size();
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP_VIRTIO, MAC, WORK.resolve("without-ca"), BOOT_TIMEOUT);

        assertRefused(boot);
        List<String> log = logLines();
        assertThat(log.subList(logged, log.size())).as("bootferry.log during this boot")
                .noneMatch(l -> l.contains(LOADER_PATH) || l.contains("TLS handshake"));
    }

    /** Given another CA, OVMF connects, and its TlsLib (OpenSSL) aborts the handshake: bootferry says so. */
    @Test
    void ovmfTrustingAnotherCaAbortsTheHandshake() throws IOException {
        Path other = WORK.resolve("other-ca.esl");
        Files.write(other, CertificateAuthority.openOrCreate(WORK.resolve("other-state"))
                .certificateEfiSignatureList());
        int logged = logLines().size();
        Boot boot = lab.bootCaptured(Client.OVMF_HTTP_VIRTIO, MAC, WORK.resolve("other-ca"), BOOT_TIMEOUT,
                List.of("-fw_cfg", "name=etc/edk2/https/cacerts,file=" + other));

        assertRefused(boot);
        List<String> log = logLines();
        assertThat(log.subList(logged, log.size())).as("bootferry.log during this boot")
                .noneMatch(l -> l.contains(LOADER_PATH))
                .anyMatch(l -> l.matches(".*TLS handshake with 10\\.213\\.0\\.\\d+ failed: (?!null).+"));
    }

    private static void assertRefused(Boot boot) {
        assertThat(boot.serial()).anyMatch(l -> l.contains("URI: " + LOADER_URL));
        assertThat(boot.serial()).as("OVMF gives up on the URL").anyMatch(l -> l.contains(
                "Error: Could not retrieve NBP file size from HTTP server."));
        assertThat(boot.serial()).as("and runs nothing of ours").noneMatch(l -> l.contains("iPXE"));
    }

    private static List<String> logLines() throws IOException {
        return Files.readAllLines(lab.bootferryLog(), StandardCharsets.UTF_8);
    }
}
