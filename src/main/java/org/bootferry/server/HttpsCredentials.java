package org.bootferry.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bootferry.config.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of the HTTPS listener, logged once at start with whose certificate it presents: the
 * admin's certificate and key ({@code https.certificate}, {@code https.key}), or a certificate {@link CertificateAuthority} signs at this start for every
 * address a machine may be handed (the advertised one, the bound one, or with a wildcard bind each
 * of this host's) and its names ({@code https.names} and the host name).
 */
final class HttpsCredentials {

    private static final Logger log = LoggerFactory.getLogger(HttpsCredentials.class);
    private static final Path HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private HttpsCredentials() {
    }

    /** @throws ListenerException naming the file that is wrong, or the CA that can't be made */
    static SslContext context(ServerSettings settings) {
        try {
            return load(settings);
        } catch (IOException e) {
            throw new ListenerException("cannot start HTTPS: " + e.getMessage(), e);
        }
    }

    private static SslContext load(ServerSettings settings) throws IOException {
        ServerSettings.Https https = settings.https().orElseThrow();
        if (https.certificate().isPresent()) {
            Path certFile = https.certificate().get();
            Path keyFile = https.key().orElseThrow();
            List<X509Certificate> chain = PemFiles.certificates(certFile);
            PrivateKey key = PemFiles.privateKey(keyFile);
            PemFiles.checkPair(chain.get(0), key, certFile, keyFile);
            log.info("https presents certificate {} ({})", certFile, chain.get(0).getSubjectX500Principal().getName());
            return build(key, chain);
        }
        CertificateAuthority ca = CertificateAuthority.openOrCreate(settings.state());
        List<InetAddress> addresses = addresses(settings);
        List<String> names = new ArrayList<>(https.names());
        hostName().filter(n -> !names.contains(n)).ifPresent(names::add);
        CertificateAuthority.Issued issued = ca.issue(addresses, names);
        log.info("https presents a certificate signed by the CA {} for {} and {}",
                CertificateAuthority.directory(settings.state()).resolve(CertificateAuthority.CERTIFICATE_FILE),
                addresses.stream().map(InetAddress::getHostAddress).toList(), names);
        return build(issued.key(), issued.chain());
    }

    private static SslContext build(PrivateKey key, List<X509Certificate> chain) throws IOException {
        // The JDK's provider: TLS 1.2 and 1.3, which EDK2's TlsLib and iPXE both speak.
        return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).build();
    }

    /** Every address a machine may be handed as this server's, loopback included for the admin's curl. */
    private static List<InetAddress> addresses(ServerSettings settings) throws IOException {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        settings.advertise().map(BootServer::literal).ifPresent(addresses::add);
        InetAddress bind = BootServer.literal(settings.bind());
        if (!bind.isAnyLocalAddress()) {
            addresses.add(bind);
            return List.copyOf(addresses);
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp()) {
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        if (!a.isLinkLocalAddress()) {
                            // Without the interface's scope, which getHostAddress would append (%eth0).
                            addresses.add(InetAddress.getByAddress(a.getAddress()));
                        }
                    }
                }
            }
        } catch (SocketException e) {
            throw new IOException("cannot list this host's addresses for the HTTPS certificate: " + e.getMessage(), e);
        }
        return List.copyOf(addresses);
    }

    private static Optional<String> hostName() throws IOException {
        if (!Files.isReadable(HOSTNAME)) {
            return Optional.empty();
        }
        String name = Files.readString(HOSTNAME, StandardCharsets.US_ASCII).trim();
        return name.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?") ? Optional.of(name)
                : Optional.empty();
    }
}
