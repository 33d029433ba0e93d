package org.bootferry.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.bootferry.testing.TestImages;
import org.bootferry.testing.Tools;

/**
 * A registry token server (distribution docs/spec/auth/token.md) for tests: RS256 JWTs whose x5c header
 * carries a certificate the registry trusts through {@code rootcertbundle}. The key and certificate
 * are made fresh by openssl for each run. Anonymous callers may pull any repository except
 * {@code private/*}; the one user may pull and push everything; a wrong password gets 401.
 */
final class TokenServer implements AutoCloseable {

    static final String ISSUER = "bfi-token-issuer";
    static final String SERVICE = "bfi-registry";

    private final HttpServer server;
    private final PrivateKey key;
    private final String x5c;
    private final Path certificate;
    private final String user;
    private final String password;
    private final AtomicInteger requests = new AtomicInteger();

    TokenServer(int port, Path dir, String user, String password) throws Exception {
        Tools.require("openssl", "openssl");
        Files.createDirectories(dir);
        Path keyFile = dir.resolve("key.pem");
        certificate = dir.resolve("cert.pem");
        TestImages.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile.toString(),
                "-out", certificate.toString(), "-days", "2", "-subj", "/CN=" + ISSUER);
        String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(certificate));
        x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
        this.user = user;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    Path certificate() {
        return certificate;
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    int requests() {
        return requests.get();
    }

    private void token(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String service = "";
        List<String> scopes = new ArrayList<>();
        String query = exchange.getRequestURI().getRawQuery();
        for (String kv : query == null ? new String[0] : query.split("&")) {
            String[] p = kv.split("=", 2);
            String v = p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "";
            if (p[0].equals("service")) {
                service = v;
            } else if (p[0].equals("scope")) {
                scopes.add(v);
            }
        }
        String subject = "";
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Basic ")) {
            String[] up = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            if (!up[0].equals(user) || up.length < 2 || !up[1].equals(password)) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            subject = user;
        }
        try {
            byte[] body = TestImages.JSON.writeValueAsBytes(TestImages.JSON.createObjectNode()
                    .put("token", mint(service, scopes, subject)).put("expires_in", 300));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
        }
        exchange.close();
    }

    private String mint(String service, List<String> scopes, String subject) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        ObjectNode header = TestImages.JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        header.putArray("x5c").add(x5c);
        ObjectNode claims = TestImages.JSON.createObjectNode().put("iss", ISSUER).put("sub", subject)
                .put("aud", service).put("exp", now + 300).put("nbf", now - 10).put("iat", now)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            // type:name:actions, where the name may itself hold ':' (host:port/repo)
            String type = scope.substring(0, scope.indexOf(':'));
            String name = scope.substring(scope.indexOf(':') + 1, scope.lastIndexOf(':'));
            ObjectNode grant = access.addObject().put("type", type).put("name", name);
            ArrayNode actions = grant.putArray("actions");
            for (String action : scope.substring(scope.lastIndexOf(':') + 1).split(",")) {
                if (!subject.isEmpty() || action.equals("pull") && !name.startsWith("private/")) {
                    actions.add(action);
                }
            }
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(TestImages.JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(TestImages.JSON.writeValueAsBytes(claims));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(rs256.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
