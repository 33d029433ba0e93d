package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bootferry.machine.BootEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every ended transfer is counted and, for a client known by MAC, a step in the boot log. */
class TransferReportsTest {

    private static final Duration WAIT = Duration.ofSeconds(3);

    @TempDir
    Path root;

    @Test
    void completeTransfersAreCountedAndRecordedOffTheEventLoop() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root); RawTftpClient client = new RawTftpClient()) {
            Path file = tftp.file("ipxe.efi", 5000);
            client.request("ipxe.efi", Map.of(), tftp.address);
            assertThat(client.receiveFile(512, 1, 0, null)).isEqualTo(Files.readAllBytes(file));
            client.request("/ipxe.efi", Map.of("blksize", "1024", "windowsize", "4"), tftp.address);
            RawTftpClient.Received oack = client.expect(WAIT);
            client.send(new TftpPacket.Ack(0), oack.from());
            assertThat(client.receiveFile(1024, 4, 0, null)).isEqualTo(Files.readAllBytes(file));

            awaitEvents(tftp, 2);
            assertThat(tftp.events).allSatisfy(e -> {
                assertThat(e.mac()).isEqualTo(TftpFixture.MAC);
                assertThat(e.stage()).isEqualTo(BootEvent.Stage.TFTP);
                assertThat(e.detail()).isEqualTo("ipxe.efi");
                assertThat(e.bytes()).isEqualTo(5000);
            });
            assertThat(tftp.lookupThreads).allSatisfy(name -> assertThat(name).startsWith("tftp-neighbours-"));
            assertThat(tftp.metrics.counter("bootferry_tftp_transfers", "result", "complete").count()).isEqualTo(2);
            assertThat(tftp.metrics.counter("bootferry_tftp_bytes").count()).isEqualTo(10_000);
            assertThat(tftp.metrics.counter("bootferry_tftp_retransmitted_blocks").count()).isZero();
            assertThat(tftp.metrics.get("bootferry_tftp_transfer_duration").tag("result", "complete").timer().count())
                    .isEqualTo(2);
        }
    }

    @Test
    void abandonedTransfersAreCountedAndRecordedAsFailed() throws Exception {
        try (TftpFixture tftp = quickToGiveUp(); RawTftpClient client = new RawTftpClient()) {
            tftp.file("f.bin", 10_000);
            client.request("f.bin", Map.of("blksize", "1024", "windowsize", "4"), tftp.address);
            client.send(new TftpPacket.Ack(0), client.expect(WAIT).from());
            // Never acknowledged: the window goes out again twice, then the transfer is given up.
            awaitEvents(tftp, 1);
            BootEvent failed = tftp.events.get(0);
            assertThat(failed.stage()).isEqualTo(BootEvent.Stage.FAILED);
            assertThat(failed.detail()).isEqualTo("tftp f.bin abandoned");
            assertThat(failed.bytes()).isZero();
            assertThat(tftp.metrics.counter("bootferry_tftp_transfers", "result", "abandoned").count()).isEqualTo(1);
            assertThat(tftp.metrics.counter("bootferry_tftp_retransmitted_blocks").count()).isEqualTo(8);
            assertThat(tftp.metrics.get("bootferry_tftp_transfer_duration").tag("result", "abandoned").timer()
                    .totalTime(TimeUnit.MILLISECONDS)).as("three windows sent, 100 ms apart")
                    .isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void aTransferWhoseLastAckNeverCameIsRecordedAsSentUnconfirmed() throws Exception {
        try (TftpFixture tftp = quickToGiveUp(); RawTftpClient client = new RawTftpClient()) {
            tftp.file("grubaa64.efi", 1500);
            client.request("grubaa64.efi", Map.of(), tftp.address);
            // Blocks 1 and 2 acknowledged; block 3, the last, received and never acknowledged (RFC 1350 §6).
            for (int block = 1; block <= 3; block++) {
                RawTftpClient.Received data = client.expect(WAIT);
                assertThat(((TftpPacket.Data) data.packet()).block()).isEqualTo(block);
                if (block < 3) {
                    client.send(new TftpPacket.Ack(block), data.from());
                }
            }
            awaitEvents(tftp, 1);
            BootEvent sent = tftp.events.get(0);
            assertThat(sent.stage()).isEqualTo(BootEvent.Stage.TFTP);
            assertThat(sent.detail()).isEqualTo("grubaa64.efi (sent; its last ACK never came)");
            assertThat(sent.bytes()).isEqualTo(1500);
            assertThat(tftp.metrics.counter("bootferry_tftp_transfers", "result", "unconfirmed").count()).isEqualTo(1);
            assertThat(tftp.metrics.counter("bootferry_tftp_transfers", "result", "abandoned").count()).isZero();
            assertThat(tftp.metrics.counter("bootferry_tftp_bytes").count()).as("acknowledged").isEqualTo(1024);
            assertThat(tftp.metrics.counter("bootferry_tftp_retransmitted_blocks").count()).isEqualTo(2);
        }
    }

    @Test
    void aFinalAckThatFollowsTheClientsNextRequestStillCompletesTheTransfer() throws Exception {
        // One port for every file, as tftp-hpa's client does: the next RRQ can reach the server before
        // the ACK of the previous file's last block has been read on that transfer's port.
        try (TftpFixture tftp = TftpFixture.onLoopback(root); RawTftpClient client = new RawTftpClient()) {
            tftp.file("first.bin", 1500);
            tftp.file("second.bin", 700);
            client.request("first.bin", Map.of(), tftp.address);
            RawTftpClient.Received last = null;
            for (int block = 1; block <= 3; block++) {
                last = client.expect(WAIT);
                assertThat(((TftpPacket.Data) last.packet()).block()).isEqualTo(block);
                if (block < 3) {
                    client.send(new TftpPacket.Ack(block), last.from());
                }
            }
            // The next file's first block: the server has read that request before the last ACK comes.
            client.request("second.bin", Map.of(), tftp.address);
            RawTftpClient.Received next = client.expect(WAIT);
            assertThat(((TftpPacket.Data) next.packet()).block()).isEqualTo(1);
            client.send(new TftpPacket.Ack(3), last.from());
            client.send(new TftpPacket.Ack(1), next.from());
            assertThat(client.receiveFile(512, 1, 0, null, 2)).hasSize(700 - 512);

            awaitEvents(tftp, 2);
            assertThat(tftp.events).extracting(BootEvent::detail).containsExactlyInAnyOrder("first.bin", "second.bin");
            assertThat(tftp.metrics.counter("bootferry_tftp_transfers", "result", "complete").count()).isEqualTo(2);
        }
    }

    /** A server that resends a window twice, 100 ms apart, before it gives the transfer up. */
    private TftpFixture quickToGiveUp() {
        return new TftpFixture(root, TftpFixture.DEFAULTS.withTimeout(Duration.ofMillis(100), 2), InetAddress.getLoopbackAddress());
    }

    /** The lookup and the record run on another thread after the transfer ended. */
    private static void awaitEvents(TftpFixture tftp, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (tftp.events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(tftp.events).hasSize(count);
    }
}
