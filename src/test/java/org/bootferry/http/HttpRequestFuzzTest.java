package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer on the HTTP request path, beside the DHCP and TFTP decoders' targets: any bytes a client
 * sends on a connection to a running listener (the whole pipeline: connection limits, deadlines, the
 * codec, in-order answers, the router, a machine with a kernel, an install file and a token) get
 * HTTP/1.x answers or none, never a 500 (which would be a bug of ours, the config being
 * good), the connection ends within the request timeout, and the listener still answers /healthz.
 * Seeds: the probes (smuggling, Range abuse, traversal, a token in the URL, a browser's
 * reset, a forged capability, pipelining with HEAD) and what iPXE sends.
 */
class HttpRequestFuzzTest {

    /** A client that sends half a request is answered 408 after it: the fuzzer doesn't wait long. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3}) ");

    private static Path tmp;
    private static ExecutorService blocking;
    private static Listener listener;

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("http-fuzz");
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 4096);
        config.file("server.yaml", "api: {token: 0123456789abcdef0123}");
        config.file("templates/node.ks", "text", "network --hostname={{hostname}}");
        config.file("machines/52-54-00-12-34-56.yaml", "access: open", "hostname: node-01", "kickstart: node.ks",
                "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        blocking = Executors.newCachedThreadPool();
        listener = Listener.start(config, tmp, blocking, new HttpLimits(1_000, 1_000, 8, 64, REQUEST_TIMEOUT,
                REQUEST_TIMEOUT));
    }

    @AfterAll
    static void stop() throws IOException {
        listener.close();
        blocking.shutdownNow();
        try (var files = Files.walk(tmp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "2m")
    void anyBytesGetWellFormedAnswersAndTheServerLives(byte[] sent) throws Exception {
        // Jazzer takes any connection for a server-side request forgery: the harness's own, to the
        // listener, are allowed; one the server opened elsewhere would still be a finding.
        try (SilentCloseable ours = BugDetectors.allowNetworkConnections((host, port) -> port == listener.port())) {
            exchange(sent);
        }
    }

    private static void exchange(byte[] sent) throws Exception {
        String answered;
        try (Socket socket = RawHttp.connect(listener.port())) {
            socket.setSoTimeout((int) REQUEST_TIMEOUT.multipliedBy(5).toMillis());
            socket.getOutputStream().write(sent);
            socket.shutdownOutput();
            answered = readToEnd(socket.getInputStream());
        }
        if (!answered.isEmpty()) {
            // A request too broken to have a version is answered as HTTP/1.0 (Netty's invalid message).
            assertThat(answered).startsWith("HTTP/1.");
        }
        Matcher status = STATUS_LINE.matcher(answered);
        while (status.find()) {
            assertThat(Integer.parseInt(status.group(1))).as(answered).isNotEqualTo(500);
        }
        try (Socket socket = RawHttp.connect(listener.port())) {
            RawHttp.send(socket, RawHttp.get("/healthz"));
            assertThat(RawHttp.read(socket.getInputStream(), false).status()).isEqualTo(200);
        }
    }

    /** Everything the server sends until it closes; a server that never does is a finding. */
    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was still open " + REQUEST_TIMEOUT.multipliedBy(5)
                    + " after the client sent its bytes and closed its side", e);
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
