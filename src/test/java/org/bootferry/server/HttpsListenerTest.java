package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener of a running server, spoken to by curl: a file whole and by Range through TLS
 * with only the exported CA trusted, the CA kept across a restart, the admin's own certificate and
 * key, and a start that names what is wrong with them.
 */
class HttpsListenerTest {

    private static final String MAC = "52-54-00-12-34-56";
    /** Bigger than many 64 KiB chunks: the body goes through ChunkedNioFile, not sendfile. */
    private static final int KERNEL_BYTES = 3 * 1024 * 1024 + 17;

    @TempDir
    Path tmp;
    private ConfigDir config;
    private byte[] kernel;
    private final List<InProcessServer> servers = new ArrayList<>();
    private final Logger httpLog = (Logger) LoggerFactory.getLogger("org.bootferry.http.HttpRouter");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void setUp() throws IOException {
        Tools.require("curl", "curl");
        logged.start();
        httpLog.addAppender(logged);
        httpLog.setLevel(Level.INFO); // the access log line, which says the file went over TLS
        config = new ConfigDir(tmp.resolve("config"));
        kernel = Files.readAllBytes(config.blob("boot/vmlinuz", KERNEL_BYTES));
        config.file("machines/" + MAC + ".yaml", "access: open", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
    }

    @AfterEach
    void tearDown() {
        httpLog.detachAppender(logged);
        httpLog.setLevel(null);
        servers.forEach(InProcessServer::close);
    }

    @Test
    void curlTrustingTheExportedCaGetsAFileWholeAndByRange() throws Exception {
        serverYaml("https: {port: 0}");
        String https = start();
        Path ca = export();

        Curl whole = curl(ca, https + "/boot/" + MAC + "/kernel");
        Curl range = curl(ca, https + "/boot/" + MAC + "/kernel", "-H", "Range: bytes=1000000-1000099");

        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(kernel);
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(kernel, 1_000_000, 1_000_100));
        awaitLogged(m -> m.startsWith("GET /boot/" + MAC + "/kernel 206 100 bytes") && m.endsWith(" over TLS"));
        Curl untrusted = curl(null, https + "/boot/" + MAC + "/kernel");
        assertThat(untrusted.exit()).as("curl trusting only the system's CAs refuses: " + untrusted.err())
                .isEqualTo(60);
        // The JDK's words for curl's alert vary with the TLS version: under 1.3 it is sent encrypted.
        awaitLogged(m -> m.startsWith("TLS handshake with 127.0.0.1 failed: "));
    }

    @Test
    void theCaIsKeptAcrossARestartAndSignsForTheNewStart() throws Exception {
        serverYaml("https: {port: 0}");
        start();
        Path ca = export();
        String before = Files.readString(ca);
        servers.remove(0).close();

        String https = start();

        assertThat(Files.readString(export())).isEqualTo(before);
        assertThat(curl(ca, https + "/healthz").status()).isEqualTo(200);
    }

    @Test
    void theAdminsCertificateAndKeyArePresented() throws Exception {
        Path openssl = Tools.require("openssl", "openssl");
        Path dir = Files.createDirectories(tmp.resolve("admin"));
        run(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.pem").toString());
        serverYaml("https: {port: 0, certificate: " + dir.resolve("server.pem") + ", key: " + dir.resolve("server.key")
                + "}");
        String https = start();

        assertThat(curl(dir.resolve("server.pem"), https + "/healthz").status()).isEqualTo(200);
        assertThat(tmp.resolve("state/tls")).as("no CA of bootferry's is made").doesNotExist();
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStartNamingBoth() throws Exception {
        Path openssl = Tools.require("openssl", "openssl");
        Path dir = Files.createDirectories(tmp.resolve("admin"));
        for (String name : List.of("a", "b")) {
            run(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
                    "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".pem").toString());
        }
        serverYaml("https: {port: 0, certificate: " + dir.resolve("a.pem") + ", key: " + dir.resolve("b.key") + "}");

        assertThatThrownBy(this::start).isInstanceOf(ListenerException.class)
                .hasMessage("cannot start HTTPS: " + dir.resolve("b.key") + " is not the key of " + dir.resolve("a.pem"));
    }

    /**
     * Waits (at most 10 s) for a log line: the server's loop writes it once it has seen the end of the
     * exchange, which may be after curl exited.
     */
    private void awaitLogged(Predicate<String> line) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!logged(line) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(logged(line)).as("a line in the log").isTrue();
    }

    /** The appender adds under its own lock (AppenderBase.doAppend). */
    private boolean logged(Predicate<String> line) {
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).anyMatch(line);
        }
    }

    private void serverYaml(String https) {
        config.loopbackServer(tmp, 0, 0, https);
    }

    /** Starts a server; its HTTPS base URL. */
    private String start() throws IOException {
        InProcessServer server = InProcessServer.start(config.dir());
        servers.add(server);
        return server.https();
    }

    /** {@code bootferry ca export}'s output, as a file. */
    private Path export() throws Exception {
        Commands.Run run = Commands.bootferry("ca", "export", "--config", config.dir().toString());
        assertThat(run.exit()).as(run.err()).isZero();
        Path file = tmp.resolve("ca.pem");
        Files.writeString(file, run.out(), StandardCharsets.US_ASCII);
        return file;
    }

    record Curl(int exit, int status, byte[] body, String err) {
    }

    private Curl curl(Path cacert, String url, String... extra) throws Exception {
        Path body = Files.createTempFile(tmp, "body", ".bin");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-o", body.toString(),
                "-w", "%{http_code}"));
        if (cacert != null) {
            command.addAll(List.of("--cacert", cacert.toString()));
        }
        command.addAll(List.of(extra));
        command.add(url);
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        return new Curl(exit, out.isBlank() ? 0 : Integer.parseInt(out.trim()), Files.readAllBytes(body), err);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
