package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.TestImages;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registries that want credentials: htpasswd Basic auth (bcrypt, as distribution requires) on
 * 127.0.0.1:17001, and token auth on 17002 with a token server on 17003.
 */
class RegistryAuthTest {

    private static final String USER = "bfi-user";
    private static final String PASSWORD = "bfi-secret-pw";
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    static Path shared;
    @TempDir
    Path cacheDir;
    /** Beside the cache, as a pull secret is: removed with the test. */
    @TempDir
    Path secrets;

    private static LocalRegistry basic;
    private static LocalRegistry token;
    private static TokenServer tokenServer;

    @BeforeAll
    static void registries() throws Exception {
        TestImages images = TestImages.standard();
        Tools.require("htpasswd", "apache2-utils");
        Path htpasswd = shared.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", USER, PASSWORD).redirectOutput(htpasswd.toFile()).start();
        assertThat(p.waitFor()).isZero();
        basic = LocalRegistry.start(shared.resolve("basic"), 17001, """
                  htpasswd:
                    realm: bfi-basic
                    path: %s
                """.formatted(htpasswd));
        tokenServer = new TokenServer(17003, shared.resolve("token"), USER, PASSWORD);
        token = LocalRegistry.start(shared.resolve("token-registry"), 17002, """
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(tokenServer.realm(), TokenServer.SERVICE, TokenServer.ISSUER, tokenServer.certificate()));
        String creds = USER + ":" + PASSWORD;
        images.push("latest", basic.address() + "/test/kernel:latest", "--dest-creds", creds);
        images.push("latest", token.address() + "/test/kernel:latest", "--dest-creds", creds);
        images.push("latest", token.address() + "/private/kernel:latest", "--dest-creds", creds);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {basic, token, tokenServer}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private ImageBootFiles resolve(ImageRequest request) throws Exception {
        try (ImageResolver resolver = new ImageResolver(ImageSettings.defaults(cacheDir)
                .withRetry(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100))))) {
            return resolver.resolve(request, PullListener.NONE);
        }
    }

    /** A pull secret as {@code docker login} writes it: base64 user:password under auths, keyed by URL. */
    private Path dockerConfig(String registry, String password) throws Exception {
        Path file = secrets.resolve("config.json");
        String auth = Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, "{\"auths\": {\"http://" + registry + "/v1/\": {\"auth\": \"" + auth + "\"}}}");
        return file;
    }

    private static ImageRequest kernel(String image) {
        return ImageRequest.of(image, AMD64).withPaths("/boot/vmlinuz", "/boot/initrd.img");
    }

    @Test
    void basicAuthWithCredentialsFromAPullSecret() throws Exception {
        ImageBootFiles files = resolve(kernel(basic.address() + "/test/kernel:latest")
                .withDockerConfig(dockerConfig(basic.address(), PASSWORD)));
        assertThat(files.kernel().digest()).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
        assertThat(files.initrd().orElseThrow().digest()).isEqualTo(Digest.of(TestImages.INITRD));
    }

    @Test
    void basicAuthWrongPasswordIsAClearErrorAndNotRetried() throws Exception {
        long before = basic.requests("GET /v2/test/kernel/manifests/latest");
        assertThatThrownBy(() -> resolve(kernel(basic.address() + "/test/kernel:latest")
                .withDockerConfig(dockerConfig(basic.address(), "wrong"))))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("rejected user '" + USER + "'")
                .hasMessageContaining("check the user name and password");
        // one anonymous request for the challenge, one with the wrong password; no retries
        assertThat(basic.requests("GET /v2/test/kernel/manifests/latest") - before).isEqualTo(2);
    }

    @Test
    void basicAuthWithoutCredentialsSaysWhatToConfigure() {
        assertThatThrownBy(() -> resolve(kernel(basic.address() + "/test/kernel:latest")))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("requires a user and password").hasMessageContaining("imagePullSecret");
    }

    @Test
    void tokenAuthAnonymousPullUsesOneTokenForTheWholePull() throws Exception {
        int before = tokenServer.requests();
        ImageBootFiles files = resolve(kernel(token.address() + "/test/kernel:latest"));
        assertThat(files.kernel().digest()).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
        assertThat(tokenServer.requests() - before).isEqualTo(1); // manifest, config and two layers on one token
    }

    @Test
    void tokenAuthPrivateRepositoryNeedsTheRightPassword() throws Exception {
        String image = token.address() + "/private/kernel:latest";
        assertThatThrownBy(() -> resolve(kernel(image))).isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("refuses anonymous pulls of private/kernel");
        assertThatThrownBy(() -> resolve(kernel(image).withCredentials(new Credentials(USER, "wrong", "test"))))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("token server 127.0.0.1:17003 rejected user '" + USER + "'");
        ImageBootFiles files = resolve(kernel(image).withCredentials(new Credentials(USER, PASSWORD, "test")));
        assertThat(files.kernel().digest()).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
    }

    @Test
    void blobsRedirectedToAnotherHostNeverSeeTheRegistryCredentials() throws Exception {
        String basicAuth = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes());
        try (FaultProxy proxy = new FaultProxy(17020, 17021, basic.address(), basicAuth)) {
            proxy.inject("/blobs/", FaultProxy.Fault.REDIRECT, 100);
            ImageBootFiles files = resolve(kernel(proxy.address() + "/test/kernel:latest")
                    .withCredentials(new Credentials(USER, PASSWORD, "test")));
            assertThat(files.kernel().digest()).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
            assertThat(proxy.count("cdn", "GET", "/cdn/test/kernel/blobs/")).isEqualTo(3); // config + 2 layers
            assertThat(proxy.seen()).filteredOn(s -> s.server().equals("cdn")).allSatisfy(
                    s -> assertThat(s.authorization()).isNull());
            assertThat(proxy.seen()).filteredOn(s -> s.server().equals("proxy") && s.path().contains("/blobs/"))
                    .allSatisfy(s -> assertThat(s.authorization()).isEqualTo(basicAuth));
        }
    }
}
