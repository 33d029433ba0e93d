package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server's protocol edges, driven packet by packet: captured requests replayed, hostile peers. */
class ServerProtocolTest {

    private static final Duration WAIT = Duration.ofSeconds(3);

    @TempDir
    Path root;

    @Test
    void edk2TsizeProbeGetsAnOackThenItsErrorFreesTheSession() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root); RawTftpClient client = new RawTftpClient()) {
            Path ipxe = tftp.file("ipxe.efi", 1_017_344);
            client.send(fixture("e2e-edk2-x64-rrq-ipxe.efi-tsize-probe.bin"), tftp.address);
            RawTftpClient.Received oack = client.expect(WAIT);
            assertThat(oack.packet()).isEqualTo(new TftpPacket.OptionAck(
                    Map.of("tsize", "1017344", "blksize", "1468", "windowsize", "4")));
            assertThat(((TftpPacket.OptionAck) oack.packet()).options().keySet()).containsExactly("tsize", "blksize", "windowsize");
            assertThat(oack.from().getPort()).as("the transfer's own TID").isNotEqualTo(tftp.port());
            // EDK2 ends its probe with ERROR 8 once it has read tsize (its real packet).
            client.send(fixture("e2e-edk2-x64-error-after-tsize-probe.bin"), oack.from());
            tftp.awaitIdle(WAIT);

            try (RawTftpClient second = new RawTftpClient()) {
                second.send(fixture("e2e-edk2-x64-rrq-ipxe.efi.bin"), tftp.address);
                RawTftpClient.Received real = second.expect(WAIT);
                assertThat(real.packet()).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1468", "windowsize", "4")));
                second.send(fixture("e2e-edk2-x64-ack-oack.bin"), real.from());
                byte[] content = second.receiveFile(1468, 4, 0, null);
                assertThat(content).isEqualTo(Files.readAllBytes(ipxe));
            }
            tftp.awaitIdle(WAIT);
        }
    }

    @Test
    void grubConfigRequestWithLeadingSlashIsServedFromTheRoot() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root); RawTftpClient client = new RawTftpClient()) {
            Path cfg = tftp.file("grub/grub.cfg-01-52-54-00-12-34-56", 3000);
            client.send(fixture("grub-arm64-rrq-grub-cfg.bin"), tftp.address);
            RawTftpClient.Received oack = client.expect(WAIT);
            assertThat(oack.packet()).isEqualTo(new TftpPacket.OptionAck(Map.of("blksize", "1024", "tsize", "3000")));
            client.send(new TftpPacket.Ack(0), oack.from());
            assertThat(client.receiveFile(1024, 1, 0, null)).isEqualTo(Files.readAllBytes(cfg));
        }
    }

    @Test
    void namesLeavingTheRootAreRefused() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "not for clients");
        Path served = Files.createDirectories(root.resolve("tftproot"));
        Files.writeString(served.resolve("ok.txt"), "fine");
        Files.createSymbolicLink(served.resolve("escape"), outside.resolve("secret"));
        Files.createSymbolicLink(served.resolve("escape-dir"), outside);
        Files.createSymbolicLink(served.resolve("inside-link"), served.resolve("ok.txt"));
        Map<String, TftpError> names = new java.util.LinkedHashMap<>();
        names.put("../outside/secret", TftpError.ACCESS_VIOLATION);
        names.put("a/../../outside/secret", TftpError.ACCESS_VIOLATION);
        names.put("..\\outside\\secret", TftpError.ACCESS_VIOLATION);
        names.put("%2e%2e/outside/secret", TftpError.ACCESS_VIOLATION);
        names.put("%2E%2E%2Foutside%2Fsecret", TftpError.ACCESS_VIOLATION);
        names.put("ok.txt\u0001", TftpError.ACCESS_VIOLATION);
        names.put("x".repeat(300), TftpError.ACCESS_VIOLATION);
        names.put("escape", TftpError.ACCESS_VIOLATION);
        names.put("escape-dir/secret", TftpError.ACCESS_VIOLATION);
        names.put("/", TftpError.ACCESS_VIOLATION);
        // An absolute name means the TFTP root: the host's /etc/passwd is never reachable.
        names.put("/etc/passwd", TftpError.FILE_NOT_FOUND);
        names.put(outside.resolve("secret").toString(), TftpError.FILE_NOT_FOUND);
        try (TftpFixture tftp = new TftpFixture(served, TftpFixture.DEFAULTS, InetAddress.getLoopbackAddress(), new RootDirectory(served));
             RawTftpClient client = new RawTftpClient()) {
            for (Map.Entry<String, TftpError> name : names.entrySet()) {
                client.request(name.getKey(), Map.of(), tftp.address);
                TftpPacket answer = client.expect(WAIT).packet();
                assertThat(answer).as("answer to '%s'", name.getKey()).isInstanceOf(TftpPacket.Error.class);
                assertThat(((TftpPacket.Error) answer).error()).as("error for '%s'", name.getKey()).isEqualTo(name.getValue());
            }
            // A name with a NUL in it: what follows the NUL is read as the mode, which is refused.
            client.send("\u0000\u0001ok.txt\u0000../outside/secret\u0000octet\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), tftp.address);
            assertThat(client.expect(WAIT).packet()).isInstanceOf(TftpPacket.Error.class);
            // A link that stays inside the root is fine.
            client.request("inside-link", Map.of(), tftp.address);
            assertThat(client.receiveFile(512, 1, 0, null)).isEqualTo("fine".getBytes());
            tftp.awaitIdle(WAIT);
        }
    }

    /**
     * A lock-step transfer waits a round trip per block: it runs on a thread blocked on its own
     * socket (docs/benchmarks.md, TFTP), a windowed one on the event loop.
     */
    @Test
    void lockStepTransfersRunOnAThreadOfTheirOwn() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root);
             RawTftpClient client = new RawTftpClient()) {
            Path source = tftp.file("f.bin", 512 * 3 + 7);
            client.request("f.bin", Map.of(), tftp.address);
            RawTftpClient.Received first = client.expect(WAIT);
            String peer = "/127.0.0.1:" + client.socket.getLocalPort();
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .anyMatch(name -> name.startsWith("tftp-lockstep-") && name.endsWith("'f.bin' to " + peer));
            client.send(new TftpPacket.Ack(1), first.from());
            byte[] rest = client.receiveFile(512, 1, 0, null, 2);
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(Files.readAllBytes(source), 512, 512 * 3 + 7));
            tftp.awaitIdle(WAIT);
        }
    }

    /**
     * A client whose first answer was lost asks again from the same port: that repeat, not the
     * server's backed-off timer, brings the answer again — the OACK on an event loop, DATA 1 on a
     * lock-step thread.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRepeatedRequestBringsTheFirstPacketAgain(boolean options) throws Exception {
        TftpSettings slowTimer = TftpFixture.DEFAULTS.withTimeout(Duration.ofSeconds(10), 3);
        try (TftpFixture tftp = new TftpFixture(root, slowTimer, InetAddress.getLoopbackAddress());
             RawTftpClient client = new RawTftpClient()) {
            tftp.file("f.bin", 512 * 3);
            Map<String, String> asked = options ? Map.of("blksize", "512", "windowsize", "4") : Map.of();
            client.request("f.bin", asked, tftp.address);
            TftpPacket first = client.expect(WAIT).packet();
            assertThat(first).isInstanceOf(options ? TftpPacket.OptionAck.class : TftpPacket.Data.class);
            Thread.sleep(5_500);  // past half the 10 s timeout, well before the timer
            client.request("f.bin", asked, tftp.address);
            RawTftpClient.Received again = client.receive(Duration.ofSeconds(2));
            assertThat(again).as("the first packet again, at once").isNotNull();
            assertThat(again.packet()).isEqualTo(first);
            assertThat(tftp.server.activeTransfers()).as("no second transfer").isEqualTo(1);
        }
    }

    @Test
    void duplicateAcksNeverCauseDuplicateData() throws Exception {
        TftpSettings slowTimer = TftpFixture.DEFAULTS.withTimeout(Duration.ofSeconds(5), 3);
        try (TftpFixture tftp = new TftpFixture(root, slowTimer, InetAddress.getLoopbackAddress());
             RawTftpClient client = new RawTftpClient()) {
            tftp.file("f.bin", 512 * 20 + 5);
            client.request("f.bin", Map.of(), tftp.address);
            Map<Integer, Integer> timesSeen = new HashMap<>();
            int block = 0;
            while (true) {
                RawTftpClient.Received r = client.receive(Duration.ofMillis(500));
                if (r == null) {
                    break;
                }
                TftpPacket.Data data = (TftpPacket.Data) r.packet();
                timesSeen.merge(data.block(), 1, Integer::sum);
                block = data.block();
                // The Sorcerer's Apprentice trigger: every ACK arrives twice.
                client.send(new TftpPacket.Ack(block), r.from());
                client.send(new TftpPacket.Ack(block), r.from());
            }
            assertThat(block).isEqualTo(21);
            assertThat(timesSeen).hasSize(21).allSatisfy((b, n) -> assertThat(n).as("copies of block %d", b).isEqualTo(1));
        }
    }

    @Test
    void packetsFromAForeignTidGetError5AndTheTransferGoesOn() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root);
             RawTftpClient client = new RawTftpClient();
             RawTftpClient stranger = new RawTftpClient()) {
            Path source = tftp.file("f.bin", 512 * 10 + 1);
            client.request("f.bin", Map.of(), tftp.address);
            RawTftpClient.Received first = client.expect(WAIT);
            stranger.send(new TftpPacket.Ack(1), first.from());
            TftpPacket answer = stranger.expect(WAIT).packet();
            assertThat(answer).isInstanceOf(TftpPacket.Error.class);
            assertThat(((TftpPacket.Error) answer).error()).isEqualTo(TftpError.UNKNOWN_TID);
            // The stranger's ACK moved nothing: the client acknowledges block 1 itself and gets the rest.
            client.send(new TftpPacket.Ack(1), first.from());
            byte[] rest = client.receiveFile(512, 1, 0, null, 2);
            byte[] whole = new byte[rest.length + 512];
            ((TftpPacket.Data) first.packet()).data().getBytes(0, whole, 0, 512);
            System.arraycopy(rest, 0, whole, 512, rest.length);
            assertThat(whole).isEqualTo(Files.readAllBytes(source));
        }
    }

    /** Windowed transfers run on an event loop, lock-step ones on a thread of their own: both give up alike. */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void vanishingClientIsFreedAfterItsRetries(int windowSize) throws Exception {
        TftpSettings quick = TftpFixture.DEFAULTS.withTimeout(Duration.ofMillis(200), 3);
        try (TftpFixture tftp = new TftpFixture(root, quick, InetAddress.getLoopbackAddress());
             RawTftpClient client = new RawTftpClient()) {
            tftp.file("f.bin", 100_000);
            client.request("f.bin", Map.of("blksize", "1468", "windowsize", Integer.toString(windowSize)), tftp.address);
            RawTftpClient.Received oack = client.expect(WAIT);
            client.send(new TftpPacket.Ack(0), oack.from());
            List<Integer> blocks = new ArrayList<>();
            for (RawTftpClient.Received r; (r = client.receive(Duration.ofSeconds(1))) != null; ) {
                blocks.add(((TftpPacket.Data) r.packet()).block());
            }
            // The first window, then three retransmissions of the same window, then silence.
            List<Integer> window = IntStream.rangeClosed(1, windowSize).boxed().toList();
            assertThat(blocks).isEqualTo(Collections.nCopies(4, window).stream().flatMap(List::stream).toList());
            tftp.awaitIdle(WAIT);
        }
    }

    @Test
    void windowResumesAfterTheLastAcknowledgedBlock() throws Exception {
        TftpSettings slowTimer = TftpFixture.DEFAULTS.withTimeout(Duration.ofSeconds(5), 3);
        try (TftpFixture tftp = new TftpFixture(root, slowTimer, InetAddress.getLoopbackAddress());
             RawTftpClient client = new RawTftpClient()) {
            Path source = tftp.file("f.bin", 1000 * 8 + 10);
            client.request("f.bin", Map.of("blksize", "1000", "windowsize", "4"), tftp.address);
            RawTftpClient.Received oack = client.expect(WAIT);
            client.send(new TftpPacket.Ack(0), oack.from());
            for (int i = 1; i <= 4; i++) {
                assertThat(((TftpPacket.Data) client.expect(WAIT).packet()).block()).isEqualTo(i);
            }
            // As if block 3 was lost: the client acknowledges 2, and the next window starts at 3.
            client.send(new TftpPacket.Ack(2), oack.from());
            List<Integer> next = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                next.add(((TftpPacket.Data) client.expect(WAIT).packet()).block());
            }
            assertThat(next).containsExactly(3, 4, 5, 6);
            client.send(new TftpPacket.Ack(6), oack.from());
            byte[] rest = client.receiveFile(1000, 4, 0, null, 7);
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(Files.readAllBytes(source), 6000, 8010));
        }
    }

    @Test
    void blockNumbersRollOverToZeroOrToOneAsConfigured() throws Exception {
        for (TftpSettings.Rollover rollover : TftpSettings.Rollover.values()) {
            Path dir = Files.createDirectories(root.resolve(rollover.name()));
            try (TftpFixture tftp = new TftpFixture(dir, TftpFixture.DEFAULTS.withRollover(rollover), InetAddress.getLoopbackAddress());
                 RawTftpClient client = new RawTftpClient()) {
                // 8-byte blocks make 65,541 blocks out of half a megabyte.
                Path source = tftp.file("f.bin", 8L * 65_540);
                client.request("f.bin", Map.of("blksize", "8", "windowsize", "64"), tftp.address);
                RawTftpClient.Received oack = client.expect(WAIT);
                client.send(new TftpPacket.Ack(0), oack.from());
                List<Integer> wires = new ArrayList<>();
                int rolloverTo = rollover == TftpSettings.Rollover.ZERO ? 0 : 1;
                assertThat(client.receiveFile(8, 64, rolloverTo, wires)).isEqualTo(Files.readAllBytes(source));
                assertThat(wires).hasSize(65_541);
                assertThat(wires.subList(65_533, 65_537)).containsExactly(65_534, 65_535, rolloverTo, rolloverTo + 1);
            }
        }
    }

    @Test
    void twoThousandTransfersRunAtOnce() throws Exception {
        // The clients are served one after another, and a client that asked again gets DATA 1 again once
        // half a timeout has passed: with a timeout shorter than the whole run (5 s was, on a loaded
        // machine) a late client found a retransmitted DATA 1 where block 2 belongs. Retransmission is
        // not what this test is about, so no timer fires within it.
        int count = 2000;
        TftpSettings patient = TftpFixture.DEFAULTS.withTimeout(Duration.ofSeconds(60), 5)
                .withMaxSessionsPerClient(count);
        List<RawTftpClient> clients = new ArrayList<>();
        try (TftpFixture tftp = new TftpFixture(root, patient, InetAddress.getLoopbackAddress())) {
            byte[] source = Files.readAllBytes(tftp.file("f.bin", 512 * 8 + 100));
            for (int i = 0; i < count; i++) {
                RawTftpClient client = new RawTftpClient();
                clients.add(client);
                client.request("f.bin", Map.of(), tftp.address);
            }
            List<RawTftpClient.Received> firsts = new ArrayList<>();
            for (RawTftpClient client : clients) {
                // Like firmware, ask again when no answer comes: a burst can overflow the request socket.
                RawTftpClient.Received first = client.receive(Duration.ofSeconds(1));
                for (int retry = 0; first == null && retry < 3; retry++) {
                    client.request("f.bin", Map.of(), tftp.address);
                    first = client.receive(Duration.ofSeconds(1));
                }
                assertThat(first).as("DATA 1").isNotNull();
                firsts.add(first);
            }
            assertThat(tftp.server.activeTransfers()).as("transfers open at once").isEqualTo(count);
            for (int i = 0; i < count; i++) {
                RawTftpClient client = clients.get(i);
                client.send(new TftpPacket.Ack(1), firsts.get(i).from());
                byte[] rest = client.receiveFile(512, 1, 0, null, 2);
                byte[] whole = new byte[512 + rest.length];
                ((TftpPacket.Data) firsts.get(i).packet()).data().getBytes(0, whole, 0, 512);
                System.arraycopy(rest, 0, whole, 512, rest.length);
                assertThat(whole).as("content of transfer %d", i).isEqualTo(source);
            }
            tftp.awaitIdle(WAIT);
        } finally {
            clients.forEach(RawTftpClient::close);
        }
    }

    /**
     * A lossy network ends transfers with the client's final ACK repeated, so the transfer's socket
     * still holds datagrams when the last ACK ends it; meanwhile other requests open and close
     * blocking sockets (PathMtu's route probe). Closing the socket inside the read left the event
     * loop reading on by its number, which the kernel had meanwhile handed to such a probe: the loop
     * blocked in recvmsg for good, and every channel on it (HTTP, 4011) went deaf (boot storm, 5 %
     * loss, 1,000 machines). Every transfer here must still be answered.
     *
     * <p>The OS may give a new client the port of one that has just sent its final ACKs. When the
     * server read the new RRQ before those ACKs, it took it for a repeat of the old transfer's RRQ and,
     * as the old transfer ended meanwhile, put that ended session back in its table: this and every
     * later RRQ for the file from that port went unanswered ("no OACK within PT3S", CI, once; now
     * {@link #anRrqRepeatedFromTheClientOfAnAnsweredTransferAwaitsItsEnd}). What remains is the
     * protocol's own race: an RRQ read while that port's transfer still runs is left to the client's
     * next one, so these clients ask again when no answer comes, as RFC 1350 clients do.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)  // a blocked event loop blocks the fixture's close
    void transfersEndedWithAcksStillQueuedLeaveTheEventLoopsServing() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root)) {
            byte[] source = Files.readAllBytes(tftp.file("small.bin", 512 + 100));
            java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
            Thread probes = new Thread(() -> {
                while (!over.get()) {
                    try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
                        probe.connect(tftp.address);
                    } catch (IOException e) {
                        // the next one
                    }
                }
            });
            probes.start();
            List<Thread> clients = new ArrayList<>();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            try {
                for (int c = 0; c < 8; c++) {
                    Thread t = new Thread(() -> {
                        for (int i = 0; i < 150 && failures.isEmpty(); i++) {
                            try (RawTftpClient client = new RawTftpClient()) {
                                RawTftpClient.Received oack = null;
                                for (int ask = 0; ask < 3 && oack == null; ask++) {
                                    client.request("small.bin", Map.of("blksize", "512"), tftp.address);
                                    oack = client.receive(Duration.ofSeconds(1));
                                }
                                if (oack == null) {
                                    failures.add("transfer " + i + ": no OACK to three RRQs a second apart");
                                    return;
                                }
                                client.send(new TftpPacket.Ack(0), oack.from());
                                byte[] content = client.receiveFile(512, 1, 0, null);
                                assertThat(content).isEqualTo(source);
                                for (int dup = 0; dup < 16; dup++) {  // the final ACK, as retransmitted
                                    client.send(new TftpPacket.Ack(2), oack.from());
                                }
                            } catch (IOException | AssertionError e) {
                                failures.add("transfer " + i + ": " + e);
                                return;
                            }
                        }
                    });
                    t.start();
                    clients.add(t);
                }
                for (Thread t : clients) {
                    t.join();
                }
            } finally {
                over.set(true);
                probes.join();
            }
            assertThat(failures).isEmpty();
        }
    }

    /**
     * An RRQ from the client of a transfer it has answered is one that crossed our first packet: it is
     * left alone if the transfer still runs when the listener reads it, or starts a transfer of its own
     * if that one has ended by then (the listener and the transfer read on their own). Either way, once
     * the transfer has ended the same RRQ from the same port is answered: the server used to put an
     * ended session back when the two met, and from then on took every such RRQ for a repeat of it.
     */
    @Test
    void anRrqRepeatedFromTheClientOfAnAnsweredTransferAwaitsItsEnd() throws Exception {
        // No retransmission of ours within the test: a late ACK on a loaded machine must not look like a restart.
        TftpSettings patient = TftpFixture.DEFAULTS.withTimeout(Duration.ofSeconds(60), 5);
        try (TftpFixture tftp = new TftpFixture(root, patient, InetAddress.getLoopbackAddress());
             RawTftpClient client = new RawTftpClient()) {
            tftp.file("small.bin", 512 + 100);
            client.request("small.bin", Map.of("blksize", "512"), tftp.address);
            RawTftpClient.Received oack = client.expect(WAIT);
            client.send(new TftpPacket.Ack(0), oack.from());
            assertThat(((TftpPacket.Data) nextFrom(client, oack.from()).packet()).block()).isEqualTo(1);
            client.request("small.bin", Map.of("blksize", "512"), tftp.address);
            client.send(new TftpPacket.Ack(1), oack.from());
            assertThat(((TftpPacket.Data) nextFrom(client, oack.from()).packet()).block()).isEqualTo(2);
            client.send(new TftpPacket.Ack(2), oack.from());
            // The transfer ends on that ACK; one a late RRQ started runs on (its 60 s timeout), so wait 3 s at most.
            for (int i = 0; i < 300 && tftp.server.activeTransfers() > 0; i++) {
                Thread.sleep(10);
            }
            client.request("small.bin", Map.of("blksize", "512"), tftp.address);
            RawTftpClient.Received again = client.expect(WAIT);
            while (again.from().equals(oack.from())) {
                again = client.expect(WAIT);
            }
            assertThat(again.packet()).as("answered from a new transfer's port").isInstanceOf(TftpPacket.OptionAck.class);
        }
    }

    /** The next packet from {@code port}, past any from another (a transfer a late RRQ started). */
    private static RawTftpClient.Received nextFrom(RawTftpClient client, InetSocketAddress port) throws IOException {
        RawTftpClient.Received next = client.expect(WAIT);
        while (!next.from().equals(port)) {
            next = client.expect(WAIT);
        }
        return next;
    }

    @Test
    void sessionCapAnswersWithABusyError() throws Exception {
        TftpSettings one = TftpFixture.DEFAULTS.withMaxSessions(1);
        try (TftpFixture tftp = new TftpFixture(root, one, InetAddress.getLoopbackAddress());
             RawTftpClient holder = new RawTftpClient();
             RawTftpClient late = new RawTftpClient()) {
            tftp.file("f.bin", 10_000);
            holder.request("f.bin", Map.of(), tftp.address);
            RawTftpClient.Received first = holder.expect(WAIT);
            late.request("f.bin", Map.of(), tftp.address);
            TftpPacket answer = late.expect(WAIT).packet();
            assertThat(answer).isInstanceOf(TftpPacket.Error.class);
            assertThat(((TftpPacket.Error) answer).message()).contains("busy").contains("1 transfers");
            holder.send(new TftpPacket.Error(TftpError.NOT_DEFINED, "done"), first.from());
            tftp.awaitIdle(WAIT);
            late.request("f.bin", Map.of(), tftp.address);
            assertThat(late.expect(WAIT).packet()).isInstanceOf(TftpPacket.Data.class);
        }
    }

    @Test
    void aClientPastItsSessionLimitIsRefusedWhileAnotherIsServed() throws Exception {
        TftpSettings onePerClient = TftpFixture.DEFAULTS.withMaxSessionsPerClient(1);
        try (TftpFixture tftp = new TftpFixture(root, onePerClient, InetAddress.getLoopbackAddress());
             RawTftpClient holder = new RawTftpClient();
             RawTftpClient again = new RawTftpClient();
             RawTftpClient other = new RawTftpClient(new InetSocketAddress("127.0.0.2", 0))) {
            tftp.file("f.bin", 10_000);
            holder.request("f.bin", Map.of(), tftp.address);
            RawTftpClient.Received first = holder.expect(WAIT);
            again.request("f.bin", Map.of(), tftp.address);
            assertThat(again.expect(WAIT).packet()).isEqualTo(new TftpPacket.Error(TftpError.NOT_DEFINED,
                    "server busy: 127.0.0.1 has 1 transfers in progress, the limit per client"
                            + " (tftp.maxSessionsPerClient); retry later"));
            other.request("f.bin", Map.of(), tftp.address);
            assertThat(other.expect(WAIT).packet()).isInstanceOf(TftpPacket.Data.class);
            assertThat(tftp.server.activeTransfers()).isEqualTo(2);
            holder.send(new TftpPacket.Error(TftpError.NOT_DEFINED, "done"), first.from());
        }
    }

    @Test
    void malformedAndUnwantedRequestsGetTheRfcErrors() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root); RawTftpClient client = new RawTftpClient()) {
            tftp.file("f.bin", 10);
            client.send(new byte[] {0, 1, 'f'}, tftp.address);
            assertThat(client.expect(WAIT).packet()).isEqualTo(new TftpPacket.Error(TftpError.ILLEGAL_OPERATION,
                    "malformed request: RRQ filename is not NUL-terminated"));
            client.send(new TftpPacket.WriteRequest("f.bin", "octet", Map.of()), tftp.address);
            assertThat(((TftpPacket.Error) client.expect(WAIT).packet()).error()).isEqualTo(TftpError.ACCESS_VIOLATION);
            client.request("f.bin", Map.of("blksize", "7"), tftp.address);
            assertThat(client.expect(WAIT).packet()).isEqualTo(new TftpPacket.Error(TftpError.OPTION_REFUSED,
                    "blksize 7 is invalid: RFC 2348 allows 8 to 65464"));
            client.request("missing.bin", Map.of(), tftp.address);
            assertThat(client.expect(WAIT).packet()).isEqualTo(new TftpPacket.Error(TftpError.FILE_NOT_FOUND, "file 'missing.bin' not found"));
            // A stray ACK to the request port is not answered (an ERROR could start a ping-pong).
            client.send(new TftpPacket.Ack(1), tftp.address);
            assertThat(client.receive(Duration.ofMillis(300))).isNull();
            tftp.awaitIdle(WAIT);
        }
    }

    @Test
    void unknownOptionsAreIgnoredAndTsizeIsReported() throws Exception {
        try (TftpFixture tftp = TftpFixture.onLoopback(root); RawTftpClient client = new RawTftpClient()) {
            tftp.file("f.bin", 123_456);
            client.request("f.bin", Map.of("multicast", "", "tsize", "0", "rollover", "0"), tftp.address);
            TftpPacket.OptionAck oack = (TftpPacket.OptionAck) client.expect(WAIT).packet();
            assertThat(oack.options()).containsExactly(entry("tsize", "123456"));
        }
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ServerProtocolTest.class.getResourceAsStream("/captures/tftp/" + name)) {
            return in.readAllBytes();
        }
    }
}
