package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootEvents;
import org.bootferry.journal.BootState;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.server.Transport;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 on one connection, spoken with a raw socket: pipelined requests answered in order (RFC
 * 9112 section 9.3.2) while a file's answer is held in the blocking pool, HEAD among them,
 * {@code Connection: close} and a half-closed client answered in full, and a 400 ending the connection.
 */
class HttpPipeliningTest {

    private static final String KERNEL = "/boot/52-54-00-12-34-56/kernel";
    private static final int KERNEL_BYTES = 20_000;

    @TempDir
    static Path tmp;
    static Transport transport;
    static ExecutorService blocking;
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static final AtomicInteger held = new AtomicInteger();
    static Channel channel;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", KERNEL_BYTES);
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        transport = Transport.create(1);
        // The server's blocking pool, with a gate that holds a file's answer until the test opens it.
        blocking = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>()) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                held.incrementAndGet();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
        };
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BootState state = new BootState(tmp.resolve("state"));
        BootEvents events = new BootEvents(registry, Optional.empty(), 100);
        HttpServices services = new HttpServices(
                new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withInstalls(state)), events, events,
                state, LoaderFetches.onThisHost(), LoaderFiles.withDebianIpxe(Files.createDirectories(tmp.resolve("tftproot"))),
                () -> snapshot, registry, registry::scrape, blocking, Optional::empty);
        channel = new HttpServer(services).bind(transport.group(), transport.group(), transport.serverChannel(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        port = ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @AfterAll
    static void stop() {
        channel.close().syncUninterruptibly();
        blocking.shutdownNow();
        transport.close();
    }

    @AfterEach
    void openGate() {
        gate.countDown();
    }

    @Test
    void pipelinedAnswersLeaveInRequestOrderWhileAFileIsHeldOffTheLoop() throws Exception {
        try (Socket socket = connect()) {
            gate = new CountDownLatch(1);
            send(socket, get(KERNEL) + get("/healthz") + head(KERNEL) + get("/readyz") + get(KERNEL));
            awaitHeld();
            gate.countDown();
            InputStream in = socket.getInputStream();
            assertAnswer(read(in, false), 200, KERNEL_BYTES);
            assertAnswer(read(in, false), 200, "ok\n");
            Answer headAnswer = read(in, true);
            assertAnswer(headAnswer, 200, 0);
            assertThat(headAnswer.headers().get("content-length")).isEqualTo(String.valueOf(KERNEL_BYTES));
            // After a HEAD the next answer has its body: the codec's methods stayed in step.
            assertAnswer(read(in, false), 200, "ready\n");
            assertAnswer(read(in, false), 200, KERNEL_BYTES);
        }
    }

    @Test
    void connectionCloseOnTheLastRequestStillSendsTheEarlierHeldAnswers() throws Exception {
        try (Socket socket = connect()) {
            gate = new CountDownLatch(1);
            send(socket, get(KERNEL) + get("/healthz") + request("GET", "/readyz", "Connection: close\r\n"));
            awaitHeld();
            gate.countDown();
            InputStream in = socket.getInputStream();
            assertAnswer(read(in, false), 200, KERNEL_BYTES);
            assertAnswer(read(in, false), 200, "ok\n");
            Answer last = read(in, false);
            assertAnswer(last, 200, "ready\n");
            assertThat(last.headers().get("connection")).isEqualTo("close");
            assertThat(in.read()).as("the connection ends after the answer to 'Connection: close'").isEqualTo(-1);
        }
    }

    @Test
    void aHalfClosedClientGetsEveryAnswerThenTheConnectionEnds() throws Exception {
        try (Socket socket = connect()) {
            gate = new CountDownLatch(1);
            send(socket, get(KERNEL) + head("/healthz") + get(KERNEL));
            socket.shutdownOutput();
            awaitHeld();
            gate.countDown();
            InputStream in = socket.getInputStream();
            assertAnswer(read(in, false), 200, KERNEL_BYTES);
            assertAnswer(read(in, true), 200, 0);
            assertAnswer(read(in, false), 200, KERNEL_BYTES);
            assertThat(in.read()).as("the server closes once the last answer has left").isEqualTo(-1);
        }
    }

    @Test
    void aMalformedRequestIsAnswered400AfterTheEarlierOnesAndEndsTheConnection() throws Exception {
        try (Socket socket = connect()) {
            gate = new CountDownLatch(1);
            send(socket, get(KERNEL) + "GET /healthz NOTHTTP/1.1\r\n\r\n" + get("/healthz"));
            awaitHeld();
            gate.countDown();
            InputStream in = socket.getInputStream();
            assertAnswer(read(in, false), 200, KERNEL_BYTES);
            assertThat(read(in, false).status()).isEqualTo(400);
            assertThat(in.read()).as("nothing after a 400 is read or answered").isEqualTo(-1);
        }
    }

    @Test
    void aRoute400AlsoEndsTheConnection() throws Exception {
        try (Socket socket = connect()) {
            send(socket, get("/api/events?limit=many") + get("/healthz"));
            InputStream in = socket.getInputStream();
            assertThat(read(in, false).status()).isEqualTo(400);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    private record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String get(String path) {
        return request("GET", path, "");
    }

    private static String head(String path) {
        return request("HEAD", path, "");
    }

    private static String request(String method, String path, String extraHeaders) {
        return method + " " + path + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders + "\r\n";
    }

    private static void send(Socket socket, String requests) throws IOException {
        // One write: the server reads them together, as a pipelining client's would arrive.
        socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Waits until the first request's file is held in the blocking pool, the later ones read by then. */
    private static void awaitHeld() throws InterruptedException {
        for (int i = 0; i < 500 && held.get() == 0; i++) {
            Thread.sleep(10);
        }
        assertThat(held.get()).as("the kernel's answer held in the blocking pool").isEqualTo(1);
    }

    private static void assertAnswer(Answer answer, int status, int bodyBytes) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.body()).hasSize(bodyBytes);
    }

    private static void assertAnswer(Answer answer, int status, String body) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo(body);
    }

    /** One response: status line, headers, and a body of Content-Length bytes (none for a HEAD). */
    private static Answer read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        // A request line the decoder could not read is answered as HTTP/1.0, Netty's choice.
        assertThat(statusLine).startsWith("HTTP/1.");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        assertThat(body).as("a body of its Content-Length").hasSize(length);
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertThat(b).as("the connection ended in the middle of an answer").isNotEqualTo(-1);
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }
}
