package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.testing.RawHttp.connect;
import static org.bootferry.testing.RawHttp.get;
import static org.bootferry.testing.RawHttp.read;
import static org.bootferry.testing.RawHttp.send;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.RawHttp.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's limits, met by raw sockets: connections per client and in total answered 503 with the
 * reason, a request trickled past its deadline answered 408, an idle connection closed, an answer whose
 * client stopped reading closed; each counted.
 */
class HttpLimitsTest {

    @TempDir
    Path tmp;
    /** A boot file bigger than both ends' socket buffers on loopback can hold (tcp_wmem's 4 MiB at most). */
    private static final int KERNEL_BYTES = 24 * 1024 * 1024;
    private static final String KERNEL = "/boot/52-54-00-12-34-57/kernel";
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new ArrayList<>();
    private Listener listener;

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (listener != null) {
            listener.close();
        }
        blocking.shutdownNow();
    }

    private void start(HttpLimits limits) throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config")).file("server.yaml", "advertise: 127.0.0.1")
                .file("machines/52-54-00-12-34-57.yaml", "access: open", "kernelBoot:",
                        "  files: {kernel: boot/vmlinuz}");
        config.blob("boot/vmlinuz", KERNEL_BYTES);
        listener = Listener.start(config, tmp, blocking, limits);
    }

    private Socket open() throws Exception {
        Socket socket = connect(listener.port());
        sockets.add(socket);
        return socket;
    }

    /** An open connection the server has taken up: it answered a request on it. */
    private Socket answered() throws Exception {
        Socket socket = open();
        send(socket, get("/healthz"));
        assertThat(read(socket.getInputStream(), false).status()).isEqualTo(200);
        return socket;
    }

    @Test
    void aClientPastItsConnectionLimitIsAnswered503WithTheReasonAndClosed() throws Exception {
        start(new HttpLimits(2, 100, 8, 100, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        answered();
        Socket second = answered();
        Socket third = open();
        Answer refused = read(third.getInputStream(), false);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.text()).isEqualTo(
                "too many HTTP connections from 127.0.0.1: the server takes 2 at once from one client\n");
        assertThat(third.getInputStream().read()).isEqualTo(-1);
        assertThat(listener.counted("bootferry_http_limited", "limit", "connections-per-client")).isEqualTo(1);
        // A closed connection gives its place back.
        second.close();
        awaitConnections(1);
        answered();
    }

    @Test
    void pastTheTotalConnectionLimitEveryClientIsAnswered503() throws Exception {
        start(new HttpLimits(10, 2, 8, 100, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        answered();
        answered();
        Answer refused = read(open().getInputStream(), false);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.text()).isEqualTo("too many HTTP connections: the server has all its 2 open\n");
        assertThat(listener.counted("bootferry_http_limited", "limit", "connections-total")).isEqualTo(1);
    }

    @Test
    void aRequestTrickledPastItsDeadlineIsAnswered408AndClosed() throws Exception {
        start(new HttpLimits(10, 100, 8, 100, Duration.ofSeconds(30), Duration.ofSeconds(1)));
        Socket socket = open();
        InputStream in = socket.getInputStream();
        // A byte every 300 ms, each of which would put off an idle timer, until the server answers: it
        // does after the deadline from the first byte. (A byte sent after its close would be reset.)
        String trickle = "GET /healthz HTTP/1.1\r\nHost: a\r\n";
        int sent = 0;
        while (sent < trickle.length() && in.available() == 0) {
            socket.getOutputStream().write(trickle.charAt(sent++));
            Thread.sleep(300);
        }
        Answer late = read(in, false);
        assertThat(late.status()).isEqualTo(408);
        assertThat(late.text()).isEqualTo("HTTP request from 127.0.0.1 not complete within 1 s of its first byte\n");
        assertThat(in.read()).isEqualTo(-1);
        assertThat(sent).as("answered while the client was still trickling").isLessThan(trickle.length());
        assertThat(listener.counted("bootferry_http_limited", "limit", "request-timeout")).isEqualTo(1);
    }

    @Test
    void aConnectionIdleBetweenRequestsIsClosedAfterTheIdleTimeout() throws Exception {
        start(new HttpLimits(10, 100, 8, 100, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        Socket socket = answered();
        long started = System.nanoTime();
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(800L, 5000L);
        awaitConnections(0);
    }

    @Test
    void anAnswerWhoseClientStopsReadingIsClosedOnceNothingOfItLeftForAnIdlePeriod() throws Exception {
        start(new HttpLimits(10, 100, 8, 100, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        Socket socket = new Socket();
        sockets.add(socket);
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()));
        long started = System.nanoTime();
        send(socket, get(KERNEL));
        awaitConnections(1);
        awaitConnections(0, Duration.ofSeconds(10));
        // The timer's first turn in the answer notes what waits on the socket, the next finds it unmoved.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(1),
                Duration.ofSeconds(10));
        assertThat(listener.counted("bootferry_http_limited", "limit", "send-timeout")).isEqualTo(1);
        socket.setSoTimeout(10_000);
        long received = 0;
        try (InputStream in = socket.getInputStream()) {
            for (int n = in.read(new byte[65536]); n != -1; n = in.read(new byte[65536])) {
                received += n;
            }
        } catch (SocketException reset) {
            // What the server had written and the client not read may end in a reset instead of a FIN.
        }
        assertThat(received).as("bytes the client got of the answer").isLessThan(KERNEL_BYTES);
    }

    @Test
    void anAnswerItsClientReadsSlowlyButSteadilyIsNotClosed() throws Exception {
        start(new HttpLimits(10, 100, 8, 100, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        Socket socket = open();
        send(socket, get(KERNEL));
        // About 6 MiB/s: four idle periods of an answer whose bytes leave the server all along.
        Answer slow = read(new Paced(socket.getInputStream(), 6L * 1024 * 1024), false);
        assertThat(slow.status()).isEqualTo(200);
        assertThat(slow.body()).hasSize(KERNEL_BYTES);
        assertThat(listener.counted("bootferry_http_limited", "limit", "send-timeout")).isZero();
    }

    @Test
    void aPipelinedRequestAnsweredLongerThanTheIdleTimeoutIsNotClosed() throws Exception {
        start(new HttpLimits(10, 100, 8, 100, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        Socket socket = open();
        send(socket, get(KERNEL) + get(KERNEL));
        // Each answer takes four idle periods at this pace; the second is taken up when the first ends.
        InputStream paced = new Paced(socket.getInputStream(), 6L * 1024 * 1024);
        for (int answer = 0; answer < 2; answer++) {
            Answer slow = read(paced, false);
            assertThat(slow.status()).isEqualTo(200);
            assertThat(slow.body()).hasSize(KERNEL_BYTES);
        }
        assertThat(listener.counted("bootferry_http_limited", "limit", "send-timeout")).isZero();
    }

    /** Reads no faster than {@code bytesPerSecond} on average. */
    private static final class Paced extends FilterInputStream {
        private final long bytesPerSecond;
        private final long started = System.nanoTime();
        private long read;

        Paced(InputStream in, long bytesPerSecond) {
            super(in);
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            pace(b == -1 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, Math.min(len, 64 * 1024));
            pace(Math.max(n, 0));
            return n;
        }

        private void pace(int n) throws IOException {
            read += n;
            long due = started + read * 1_000_000_000L / bytesPerSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
        }
    }

    private void awaitConnections(int open) throws InterruptedException {
        awaitConnections(open, Duration.ofSeconds(3));
    }

    private void awaitConnections(int open, Duration within) throws InterruptedException {
        for (long end = System.nanoTime() + within.toNanos(); gauge() != open && end - System.nanoTime() > 0; ) {
            Thread.sleep(10);
        }
        assertThat(gauge()).as("bootferry_http_connections").isEqualTo(open);
    }

    private double gauge() {
        return listener.registry().get("bootferry_http_connections").gauge().value();
    }

}
