package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.testing.RawHttp.get;
import static org.bootferry.testing.RawHttp.read;
import static org.bootferry.testing.RawHttp.send;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Processes;
import org.bootferry.testing.RawHttp.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A boot file's body on the epoll transport ({@link SendfileRegion}), to a client whose small receive
 * buffer makes nearly every sendfile a short one: the file arrives whole and exact, one truncated while
 * it is sent ends its answer and its connection instead of leaving them waiting, and what waits unsent
 * in the server's socket stays within the listener's bound (TCP_NOTSENT_LOWAT, {@link HttpServer}).
 */
class SendfileRegionTest {

    /** Bigger than both ends' socket buffers on loopback hold (tcp_wmem's 4 MiB at most). */
    private static final int KERNEL_BYTES = 24 * 1024 * 1024;
    private static final String KERNEL = "/boot/52-54-00-12-34-57/kernel";

    @TempDir
    Path tmp;
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private Listener listener;
    private Path kernel;

    @BeforeEach
    void start() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config")).file("server.yaml", "advertise: 127.0.0.1")
                .file("machines/52-54-00-12-34-57.yaml", "access: open", "kernelBoot:",
                        "  files: {kernel: boot/vmlinuz}");
        kernel = config.blob("boot/vmlinuz", KERNEL_BYTES);
        listener = Listener.start(config, tmp, blocking,
                new HttpLimits(10, 100, 8, 100, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        assertThat(listener.transport().epoll()).as("the epoll transport, whose bodies SendfileRegion sends").isTrue();
    }

    @AfterEach
    void stop() {
        listener.close();
        blocking.shutdownNow();
    }

    private Socket smallWindow() throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()));
        return socket;
    }

    @Test
    void aFileSentInManyShortSendfilesArrivesWholeAndExact() throws Exception {
        try (Socket socket = smallWindow()) {
            send(socket, get(KERNEL) + get(KERNEL));
            for (int answer = 0; answer < 2; answer++) {
                Answer whole = read(socket.getInputStream(), false);
                assertThat(whole.status()).isEqualTo(200);
                assertThat(whole.body()).isEqualTo(Files.readAllBytes(kernel));
            }
        }
        assertThat(listener.counted("bootferry_http_limited", "limit", "send-timeout")).isZero();
    }

    @Test
    void aClientThatReadsNothingHoldsLittleOfTheServersKernelMemory() throws Exception {
        try (Socket socket = smallWindow()) {
            send(socket, get(KERNEL));
            long most = 0;
            // Before the send deadline (1 s here) closes the connection.
            for (int i = 0; i < 10; i++) {
                Thread.sleep(50);
                most = Math.max(most, queuedOnServerSide());
            }
            // 128 KiB unsent, the client's small window in flight, and the kernel's bookkeeping;
            // without the bound the socket queues up to its autotuned send buffer, over 1 MiB here.
            assertThat(most).as("bytes queued in the server's socket").isPositive().isLessThan(512 * 1024);
        }
    }

    /** sk_wmem_queued of the server's end of the one connection, as ss(8) shows it. */
    private long queuedOnServerSide() {
        String line = Processes.check("ss", "-tmnH", "state", "established", "( sport = :" + listener.port() + " )");
        Matcher queued = Pattern.compile("skmem:\\(.*\\bw(\\d+)").matcher(line);
        assertThat(queued.find()).as("ss -tm output: %s", line).isTrue();
        return Long.parseLong(queued.group(1));
    }

    @Test
    void aFileTruncatedWhileItIsSentEndsItsAnswerAndItsConnection() throws Exception {
        try (Socket socket = smallWindow()) {
            send(socket, get(KERNEL));
            InputStream in = socket.getInputStream();
            long received = in.readNBytes(1024 * 1024).length;
            try (FileChannel file = FileChannel.open(kernel, StandardOpenOption.WRITE)) {
                file.truncate(2 * 1024 * 1024);
            }
            // What the socket buffers held goes on arriving; then the end, not a wait (the socket's
            // 10 s timeout would fail the read).
            try {
                for (int n = in.read(new byte[65536]); n != -1; n = in.read(new byte[65536])) {
                    received += n;
                }
            } catch (SocketException reset) {
                // An end with bytes the client had not read yet may come as a reset.
            }
            assertThat(received).isLessThan(KERNEL_BYTES);
        }
    }
}
