package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.testing.RawHttp.connect;
import static org.bootferry.testing.RawHttp.get;
import static org.bootferry.testing.RawHttp.head;
import static org.bootferry.testing.RawHttp.read;
import static org.bootferry.testing.RawHttp.request;
import static org.bootferry.testing.RawHttp.send;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.RawHttp.Answer;
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
    static ExecutorService blocking;
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static final AtomicInteger held = new AtomicInteger();
    static Listener listener;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", KERNEL_BYTES);
        config.file("machines/52-54-00-12-34-56.yaml", "access: open", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        // The server's blocking pool, with a gate that holds a file's answer until the test opens it.
        blocking = GatedPool.of(() -> gate, held);
        listener = Listener.start(config, tmp, blocking, HttpLimits.DEFAULTS);
        port = listener.port();
    }

    @AfterAll
    static void stop() {
        listener.close();
        blocking.shutdownNow();
    }

    @AfterEach
    void openGate() {
        gate.countDown();
    }

    @Test
    void pipelinedAnswersLeaveInRequestOrderWhileAFileIsHeldOffTheLoop() throws Exception {
        try (Socket socket = connect(port)) {
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
        try (Socket socket = connect(port)) {
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
        try (Socket socket = connect(port)) {
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
        try (Socket socket = connect(port)) {
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
        try (Socket socket = connect(port)) {
            send(socket, get("/api/events?limit=many") + get("/healthz"));
            InputStream in = socket.getInputStream();
            assertThat(read(in, false).status()).isEqualTo(400);
            assertThat(in.read()).isEqualTo(-1);
        }
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
        assertThat(answer.text()).isEqualTo(body);
    }
}
