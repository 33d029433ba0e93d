package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA under state/tls/: made once with a 0600 key, the same after a restart, and what it signs. */
class CertificateAuthorityTest {

    @TempDir
    Path state;

    @Test
    void madeOnceAndTheSameAfterARestart() throws Exception {
        CertificateAuthority first = CertificateAuthority.openOrCreate(state);
        Path dir = state.resolve("tls");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
                .isEqualTo("rw-------");
        byte[] key = Files.readAllBytes(dir.resolve("ca.key"));

        CertificateAuthority again = CertificateAuthority.openOrCreate(state);

        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isEqualTo(key);
        assertThat(CertificateAuthority.open(state).certificatePem()).isEqualTo(first.certificatePem());
        X509Certificate ca = first.certificate();
        assertThat(ca.getBasicConstraints()).as("a CA, signing servers only").isEqualTo(0);
        assertThat(ca.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(((RSAPublicKey) ca.getPublicKey()).getModulus().bitLength()).isGreaterThanOrEqualTo(2048);
        ca.verify(ca.getPublicKey());
    }

    @Test
    void signsAServerCertificateForTheAddressesAndNames() throws Exception {
        CertificateAuthority ca = CertificateAuthority.openOrCreate(state);

        CertificateAuthority.Issued issued = ca.issue(
                List.of(InetAddress.getByName("192.0.2.10"), InetAddress.getByName("2001:db8::10")), List.of("boot.lab"));

        X509Certificate server = issued.chain().get(0);
        server.verify(ca.certificate().getPublicKey());
        assertThat(issued.chain()).containsExactly(server, ca.certificate());
        assertThat(server.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(((RSAPublicKey) server.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(server.getBasicConstraints()).as("no CA").isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(7, "192.0.2.10"), List.of(7, "2001:db8:0:0:0:0:0:10"), List.of(2, "boot.lab"));
        assertThat(issued.key().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void aKeyLeftWithoutItsCertificateIsMadeAnew() throws Exception {
        Files.createDirectories(state.resolve("tls"));
        Files.writeString(state.resolve("tls/ca.key"), "half made");

        CertificateAuthority ca = CertificateAuthority.openOrCreate(state);

        assertThat(CertificateAuthority.open(state).certificate()).isEqualTo(ca.certificate());
    }

    @Test
    void aCertificateWithoutItsKeyOrAKeyOthersReadIsRefused() throws Exception {
        CertificateAuthority.openOrCreate(state);
        Path key = state.resolve("tls/ca.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> CertificateAuthority.openOrCreate(state))
                .hasMessageContaining(key + " is readable by others (rw-r--r--)").hasMessageContaining("chmod 600");

        Files.delete(key);
        assertThatThrownBy(() -> CertificateAuthority.openOrCreate(state))
                .hasMessageContaining("has no key beside it");
    }

    @Test
    void exportWithoutACaSaysWhenOneIsMade() {
        assertThatThrownBy(() -> CertificateAuthority.open(state))
                .hasMessageContaining("no CA in " + state.resolve("tls"))
                .hasMessageContaining("https:");
    }

    /** UEFI 2.10 section 32.4.1: one EFI_SIGNATURE_LIST of type EFI_CERT_X509_GUID holding the DER certificate. */
    @Test
    void theEfiSignatureListHoldsTheCertificate() throws Exception {
        CertificateAuthority ca = CertificateAuthority.openOrCreate(state);
        byte[] der = ca.certificate().getEncoded();

        byte[] list = ca.certificateEfiSignatureList();

        ByteBuffer in = ByteBuffer.wrap(list).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(guid(in)).isEqualTo(UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072"));
        assertThat(in.getInt()).as("SignatureListSize").isEqualTo(list.length);
        assertThat(in.getInt()).as("SignatureHeaderSize").isZero();
        assertThat(in.getInt()).as("SignatureSize").isEqualTo(16 + der.length);
        guid(in); // SignatureOwner
        byte[] data = Arrays.copyOfRange(list, in.position(), list.length);
        assertThat(data).isEqualTo(der);
        assertThat(CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(data)))
                .isEqualTo(ca.certificate());
        // The GUID's byte order as EDK2 writes gEfiCertX509Guid: a1 59 c0 a5 e4 94 a7 4a 87 b5 ...
        assertThat(Arrays.copyOf(list, 10)).containsExactly(0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87,
                0xb5);
    }

    private static UUID guid(ByteBuffer in) {
        long a = in.getInt() & 0xffffffffL;
        long b = in.getShort() & 0xffffL;
        long c = in.getShort() & 0xffffL;
        long low = in.order(ByteOrder.BIG_ENDIAN).getLong();
        in.order(ByteOrder.LITTLE_ENDIAN);
        return new UUID(a << 32 | b << 16 | c, low);
    }
}
