package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request that waits to be opened (every opener busy, as in a storm) longer than its client keeps
 * asking is dropped unanswered, counted and its session freed; a client that keeps re-sending its RRQ
 * meanwhile is still waiting, and is served; one replaced by a newer request from its port gets no transfer.
 */
class AbandonedRequestTest {

    /** The opener threads of {@link TftpServer}: all of them held by slow opens. */
    private static final int OPENERS = 16;
    private static final Duration GAVE_UP = Duration.ofSeconds(2);

    private final CountDownLatch release = new CountDownLatch(1);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private EventLoopGroup group;
    private TftpServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() {
        TftpFiles files = (name, client) -> {
            if (name.startsWith("slow")) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Optional.of(TftpFile.of(new byte[100]));
        };
        group = new MultiThreadIoEventLoopGroup(2, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        TftpSettings defaults = TftpFixture.DEFAULTS;
        server = new TftpServer(() -> defaults.withMaxSessionsPerClient(defaults.maxSessions()), files, event -> { },
                metrics, client -> Optional.empty(), GAVE_UP);
        address = (InetSocketAddress) server.bind(group, group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly().channel().localAddress();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aRequestWhoseClientStoppedAskingIsDroppedAndOneStillAskingIsServed() throws Exception {
        RawTftpClient[] slow = new RawTftpClient[OPENERS];
        try (RawTftpClient gone = new RawTftpClient(); RawTftpClient waiting = new RawTftpClient()) {
            requestSlowFiles(slow);
            gone.request("gone.bin", Map.of(), address);
            waiting.request("waiting.bin", Map.of(), address);
            int sent = OPENERS + 2;
            // Longer than GAVE_UP in silence for `gone`; `waiting` re-sends its RRQ as clients do.
            long until = System.nanoTime() + GAVE_UP.multipliedBy(3).dividedBy(2).toNanos();
            while (System.nanoTime() < until) {
                Thread.sleep(200);
                waiting.request("waiting.bin", Map.of(), address);
                sent++;
            }
            // Every repeat read before the opens go on: one read after `waiting`'s transfer had ended
            // would rightly start another, which this client never acknowledges.
            awaitRequestsRead(sent);
            release.countDown();

            fetch(waiting);
            for (RawTftpClient c : slow) {
                fetch(c);
            }
            assertThat(gone.receive(Duration.ofSeconds(1))).as("an answer to the abandoned request").isNull();
            assertThat(metrics.get("bootferry_tftp_dropped").tag("reason", "client-gave-up").counter().count())
                    .isEqualTo(1.0);
        } finally {
            RawTftpClient.closeAll(slow);
        }
        assertNoSessionHeld();
    }

    /**
     * A client whose port sends a different request while its first still waits to be opened (a size
     * probe, then the read, from a port a storm's ephemeral ports handed on) gets the second served and
     * nothing for the first: before, the first's transfer channel, closed by the replacement before its
     * bind, failed to bind, and the port got {@code ERROR 0 server cannot open a port for the transfer: null}.
     */
    @Test
    void aRequestReplacedWhileWaitingToBeOpenedGetsNoTransferNorError() throws Exception {
        RawTftpClient[] slow = new RawTftpClient[OPENERS];
        try (RawTftpClient client = new RawTftpClient()) {
            requestSlowFiles(slow);
            client.request("ipxe.efi", Map.of("tsize", "0"), address);
            client.request("ipxe.efi", Map.of(), address);
            awaitRequestsRead(OPENERS + 2);  // both queued behind the slow opens
            release.countDown();

            fetch(client);
            for (RawTftpClient c : slow) {
                fetch(c);
            }
            assertThat(client.receive(Duration.ofSeconds(1))).as("an answer to the replaced request").isNull();
        } finally {
            RawTftpClient.closeAll(slow);
        }
        assertNoSessionHeld();
    }

    /** Fills {@code clients} with clients each asking for a file whose open waits for {@link #release}. */
    private void requestSlowFiles(RawTftpClient[] clients) throws Exception {
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new RawTftpClient();
            clients[i].request("slow-" + i, Map.of(), address);
        }
    }

    /** Waits until the server has read {@code count} RRQs: the order of events a test sets up, whatever the load. */
    private void awaitRequestsRead(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metrics.get("bootferry_tftp_requests").counter().count() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(metrics.get("bootferry_tftp_requests").counter().count()).as("RRQs read").isEqualTo(count);
    }

    /** Within 5 s of the last transfer, the server holds no session. */
    private void assertNoSessionHeld() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.activeTransfers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.activeTransfers()).as("sessions still held").isZero();
    }

    /** The file's one block (a repeated RRQ may have made the server send it twice), acknowledged. */
    private static void fetch(RawTftpClient client) throws Exception {
        RawTftpClient.Received data = client.expect(Duration.ofSeconds(10));
        assertThat(data.packet()).isInstanceOfSatisfying(TftpPacket.Data.class, d -> {
            assertThat(d.block()).isEqualTo(1);
            assertThat(d.data().readableBytes()).isEqualTo(100);
        });
        client.send(new TftpPacket.Ack(1), data.from());
    }
}
