package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A client flooding the request port with what it is refused (the probe: 20,000 requests
 * alternating two names made 108,000 lines with stack traces) gets every answer, and the log one line
 * per cause and client address for the minute: malformed requests, missing files, write requests. No stack trace.
 */
class QuietFloodTest {

    private static final int ROUNDS = 20;
    private static final int PER_ROUND = 50;

    @TempDir
    Path root;
    private TftpFixture tftp;
    private final Logger serverLog = (Logger) LoggerFactory.getLogger(TftpServer.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level level;

    @BeforeEach
    void start() {
        level = serverLog.getLevel();
        serverLog.setLevel(Level.INFO);
        logged.start();
        serverLog.addAppender(logged);
        tftp = TftpFixture.onLoopback(root);
    }

    @AfterEach
    void stop() {
        tftp.close();
        serverLog.detachAppender(logged);
        serverLog.setLevel(level);
    }

    @Test
    void aFloodOfRefusedRequestsIsAnsweredAndLoggedOncePerCause() throws Exception {
        int answered = 0;
        try (RawTftpClient client = new RawTftpClient()) {
            // Rounds small enough for the sockets' buffers: every request is read and answered. Each
            // RRQ from a port of its own: from one port, a request the next replaces before it is
            // opened gets no answer at all (AbandonedRequestTest), and a repeat of one under way none of its own.
            for (int round = 0; round < ROUNDS; round++) {
                RawTftpClient[] readers = new RawTftpClient[PER_ROUND];
                try {
                    for (int i = 0; i < PER_ROUND; i++) {
                        client.send("\u0000\u0009garbage".getBytes(StandardCharsets.ISO_8859_1), tftp.address);
                        readers[i] = new RawTftpClient();
                        readers[i].request(i % 2 == 0 ? "pxelinux.cfg/one" : "pxelinux.cfg/two", Map.of(), tftp.address);
                        client.send(new TftpPacket.WriteRequest("upload.bin", "octet", Map.of()), tftp.address);
                    }
                    for (int i = 0; i < 2 * PER_ROUND; i++) {
                        expectError(client);
                        answered++;
                    }
                    for (RawTftpClient reader : readers) {
                        expectError(reader);
                        answered++;
                    }
                } finally {
                    RawTftpClient.closeAll(readers);
                }
            }
        }

        assertThat(answered).isEqualTo(3 * ROUNDS * PER_ROUND);
        List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).as("one line per cause for %d requests", answered).hasSize(3);
        assertThat(lines).filteredOn(l -> l.startsWith("malformed TFTP request from /127.0.0.1:")).hasSize(1);
        // Either name's refusal comes first: requests are opened on a pool of threads.
        assertThat(lines).filteredOn(l -> l.matches("refused RRQ 'pxelinux.cfg/(one|two)' from /127\\.0\\.0\\.1:\\d+:"
                + " file 'pxelinux.cfg/\\1' not found")).hasSize(1);
        assertThat(lines).filteredOn(l -> l.startsWith("refused write request for 'upload.bin' from /127.0.0.1:"))
                .hasSize(1);
        assertThat(logged.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    }

    private static void expectError(RawTftpClient client) throws Exception {
        assertThat(client.expect(Duration.ofSeconds(5)).packet()).isInstanceOf(TftpPacket.Error.class);
    }
}
