package org.bootferry.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The CA bootferry makes on its first start with HTTPS on and no certificate of the admin's:
 * {@code state/tls/ca.pem} and its key {@code state/tls/ca.key} (mode 0600), kept across restarts
 * so that a CA once enrolled in firmware stays good. At each start it signs a fresh server
 * certificate, held in memory only, for the addresses and names the machines reach bootferry by.
 *
 * <p>RSA with SHA-256 throughout: iPXE's TLS long took RSA certificates only, and EDK2's TlsLib
 * (OpenSSL) takes either. EDK2's HttpDxe checks the URL's host against the certificate's names
 * (EfiTlsVerifyHost, its fix of CVE-2019-14553), hence the addresses as IP SANs.
 */
public final class CertificateAuthority {

    static final String CERTIFICATE_FILE = "ca.pem";
    static final String KEY_FILE = "ca.key";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final String SIGNATURE = "SHA256withRSA";
    private static final int CA_BITS = 3072;
    private static final int SERVER_BITS = 2048;
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration SERVER_LIFETIME = Duration.ofDays(397);
    /** A client whose clock is a little behind still takes a certificate made this minute. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    /** A certificate with its key: what a TLS listener presents. */
    public record Issued(PrivateKey key, List<X509Certificate> chain) {
        public Issued {
            chain = List.copyOf(chain);
        }
    }

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** The directory under the state directory that holds the CA. */
    public static Path directory(Path state) {
        return state.resolve("tls");
    }

    /**
     * The CA of state directory {@code state}, made now when it has none. A key without its
     * certificate is what a crash while making one leaves (the key is written first): it is made anew.
     *
     * @throws IOException saying what is wrong: a certificate without its key, a key readable by
     *                     others, files that are not a CA and its key
     */
    public static CertificateAuthority openOrCreate(Path state) throws IOException {
        Path dir = directory(state);
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (!Files.exists(certFile)) {
            return create(dir, certFile, keyFile);
        }
        return open(certFile, keyFile);
    }

    /**
     * The CA already made in state directory {@code state}, for {@code bootferry ca export}.
     *
     * @throws IOException when there is none yet, or it can't be read
     */
    public static CertificateAuthority open(Path state) throws IOException {
        Path dir = directory(state);
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        if (!Files.exists(certFile)) {
            throw new IOException("no CA in " + dir + ": bootferry makes one at its first start with an https:"
                    + " section and no certificate of your own");
        }
        return open(certFile, dir.resolve(KEY_FILE));
    }

    private static CertificateAuthority open(Path certFile, Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            throw new IOException(certFile + " has no key beside it (" + keyFile + "): delete " + certFile
                    + " and a new CA is made (machines that trust the old one must be given the new one)");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyFile);
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IOException(keyFile + " is readable by others (" + PosixFilePermissions.toString(mode)
                    + "): whoever reads it can pose as this boot server; chmod 600 it");
        }
        List<X509Certificate> certs = PemFiles.certificates(certFile);
        PrivateKey key = PemFiles.privateKey(keyFile);
        X509Certificate cert = certs.get(0);
        if (cert.getBasicConstraints() < 0) {
            throw new IOException(certFile + " is not a CA certificate (no basicConstraints CA:TRUE)");
        }
        PemFiles.checkPair(cert, key, certFile, keyFile);
        return new CertificateAuthority(cert, key);
    }

    private static CertificateAuthority create(Path dir, Path certFile, Path keyFile) throws IOException {
        Files.createDirectories(dir);
        KeyPair pair = rsa(CA_BITS);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "bootferry")
                .addRDN(BCStyle.CN, "bootferry CA " + Instant.now().getEpochSecond())
                .build();
        X509Certificate cert;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, pair, CA_LIFETIME)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
            cert = sign(builder, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a CA: " + e.getMessage(), e);
        }
        write(keyFile, pem(pair.getPrivate()), OWNER_ONLY);
        write(certFile, pem(cert), PosixFilePermissions.fromString("rw-r--r--"));
        return new CertificateAuthority(cert, pair.getPrivate());
    }

    /**
     * A server certificate signed by this CA naming {@code addresses} and {@code names}, with a fresh key.
     *
     * @throws IllegalArgumentException when it would name nothing
     */
    public Issued issue(List<InetAddress> addresses, List<String> names) {
        if (addresses.isEmpty() && names.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs an address or a name");
        }
        List<GeneralName> sans = new ArrayList<>();
        addresses.forEach(a -> sans.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress())));
        names.forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
        String commonName = names.isEmpty() ? addresses.get(0).getHostAddress() : names.get(0);
        KeyPair pair = rsa(SERVER_BITS);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(
                    certificate.getSubjectX500Principal().getEncoded()), subject, pair, SERVER_LIFETIME)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new Issued(pair.getPrivate(), List.of(sign(builder, key), certificate));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign a server certificate: " + e.getMessage(), e);
        }
    }

    /** The CA's certificate, which clients are given to trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA's certificate as an EFI_SIGNATURE_LIST, for OVMF's fw_cfg and firmware setup screens. */
    public byte[] certificateEfiSignatureList() {
        return EfiSignatureList.of(certificate);
    }

    /** The CA's certificate as PEM. */
    public String certificatePem() {
        return pem(certificate);
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair,
            Duration lifetime) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(lifetime)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey by)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(by)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK makes no RSA keys", e);
        }
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM to memory", e);
        }
        return out.toString();
    }

    /** Written whole under a temporary name with its final mode, then moved to its name. */
    private static void write(Path file, String text, Set<PosixFilePermission> mode) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(mode));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
