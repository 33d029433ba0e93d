package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.bootferry.tftp.TftpTransfer.Abandoned;
import org.bootferry.tftp.TftpTransfer.Complete;
import org.bootferry.tftp.TftpTransfer.SendBlocks;
import org.bootferry.tftp.TftpTransfer.SendOptionAck;
import org.bootferry.tftp.TftpTransfer.Unconfirmed;
import org.bootferry.tftp.TftpTransfer.Wait;
import org.junit.jupiter.api.Test;

/** The transfer state machine alone: which packets follow which ACKs and timer expiries. */
class TftpTransferTest {

    private static final long SECOND = 1_000_000_000L;
    private static final TftpSettings SETTINGS = TftpFixture.DEFAULTS.withTimeout(Duration.ofSeconds(1), 2);

    @Test
    void lockStepSendsEachBlockOnceAndIgnoresDuplicateAcks() {
        TftpTransfer t = transfer(512 * 2 + 1, 512, 1, Map.of());
        assertThat(t.start(0)).isEqualTo(new SendBlocks(1, 1));
        assertThat(t.onAck(1, 1)).isEqualTo(new SendBlocks(2, 2));
        // RFC 1123 §4.2.3.1: the duplicate ACK 1 must not send block 2 again.
        assertThat(t.onAck(1, 2)).isInstanceOf(Wait.class);
        assertThat(t.onAck(2, 3)).isEqualTo(new SendBlocks(3, 3));
        assertThat(t.length(3)).isEqualTo(1);
        assertThat(t.onAck(3, 4)).isInstanceOf(Complete.class);
        assertThat(t.onAck(3, 5)).isInstanceOf(Wait.class);
    }

    @Test
    void aWindowIsSentAgainWhenTheClientTimesOutHavingNoneOfIt() {
        TftpTransfer t = transfer(100_000, 1000, 8, Map.of());
        assertThat(t.start(0)).isEqualTo(new SendBlocks(1, 8));
        assertThat(t.onAck(8, SECOND / 10)).isEqualTo(new SendBlocks(9, 16));
        // A repeat of ACK 8 that crossed the window on its way: nothing is sent again.
        assertThat(t.onAck(8, SECOND / 10 + 1000)).isInstanceOf(Wait.class);
        // RFC 7440 §4: the client timed out with none of 9..16 and acknowledges 8 again.
        assertThat(t.onAck(8, SECOND / 10 + SECOND / 2)).isEqualTo(new SendBlocks(9, 16));
        assertThat(t.onAck(8, SECOND / 10 + SECOND / 2 + 1000)).as("once per sending").isInstanceOf(Wait.class);
        assertThat(t.resentBlocks()).isEqualTo(8);
        // Each such resend is a retransmission: a client that asks on and never gets the window is let go.
        assertThat(t.onAck(8, SECOND / 10 + SECOND)).isEqualTo(new SendBlocks(9, 16));
        assertThat(t.onAck(8, SECOND / 10 + 3 * SECOND / 2)).isInstanceOf(Abandoned.class);
        // Lock-step stays with RFC 1123: a duplicate ACK never sends data, however late.
        TftpTransfer lockStep = transfer(10_000, 512, 1, Map.of());
        assertThat(lockStep.start(0)).isEqualTo(new SendBlocks(1, 1));
        assertThat(lockStep.onAck(1, 1)).isEqualTo(new SendBlocks(2, 2));
        assertThat(lockStep.onAck(1, 10 * SECOND)).isInstanceOf(Wait.class);
    }

    @Test
    void aRepeatedRequestSendsTheUnansweredFirstPacketAgain() {
        TftpTransfer t = transfer(10_000, 1000, 4, Map.of("blksize", "1000", "windowsize", "4"));
        assertThat(t.start(0)).isInstanceOf(SendOptionAck.class);
        assertThat(t.onRequestRepeated(SECOND / 10)).as("sent before the OACK could arrive").isInstanceOf(Wait.class);
        assertThat(t.onRequestRepeated(SECOND * 6 / 10)).isInstanceOf(SendOptionAck.class);
        assertThat(t.onRequestRepeated(SECOND * 7 / 10)).as("once per sending").isInstanceOf(Wait.class);
        assertThat(t.onAck(0, SECOND * 8 / 10)).isEqualTo(new SendBlocks(1, 4));
        assertThat(t.onRequestRepeated(3 * SECOND)).as("the client has answered: a late copy").isInstanceOf(Wait.class);
        // Without options the first packet is DATA 1.
        TftpTransfer plain = transfer(10_000, 512, 1, Map.of());
        assertThat(plain.start(0)).isEqualTo(new SendBlocks(1, 1));
        assertThat(plain.onRequestRepeated(SECOND)).isEqualTo(new SendBlocks(1, 1));
    }

    @Test
    void exactMultipleEndsWithAnEmptyBlock() {
        TftpTransfer t = transfer(512 * 2, 512, 8, Map.of());
        assertThat(t.start(0)).isEqualTo(new SendBlocks(1, 3));
        assertThat(t.length(3)).isZero();
        assertThat(t.onAck(2, 1)).isEqualTo(new SendBlocks(3, 3));
        assertThat(t.onAck(3, 2)).isInstanceOf(Complete.class);
    }

    @Test
    void oackWaitsForAckZeroThenSendsTheFirstWindow() {
        TftpTransfer t = transfer(10_000, 1000, 4, Map.of("blksize", "1000", "windowsize", "4"));
        assertThat(t.start(0)).isInstanceOf(SendOptionAck.class);
        assertThat(t.onAck(1, 1)).isInstanceOf(Wait.class);
        assertThat(t.onAck(0, 2)).isEqualTo(new SendBlocks(1, 4));
        assertThat(t.onAck(0, 3)).as("a duplicate ACK of the OACK").isInstanceOf(Wait.class);
    }

    @Test
    void windowResumesAfterTheLastAcknowledgedBlock() {
        TftpTransfer t = transfer(100_000, 1000, 8, Map.of());
        assertThat(t.start(0)).isEqualTo(new SendBlocks(1, 8));
        assertThat(t.onAck(5, 1)).isEqualTo(new SendBlocks(6, 13));
        assertThat(t.onAck(4, 2)).as("older than what was acknowledged").isInstanceOf(Wait.class);
        assertThat(t.onAck(200, 3)).as("a block never sent").isInstanceOf(Wait.class);
        assertThat(t.onAck(13, 4)).isEqualTo(new SendBlocks(14, 21));
    }

    @Test
    void timeoutResendsTheOutstandingWindowWithBackOffThenGivesUp() {
        TftpTransfer t = transfer(100_000, 1000, 4, Map.of());
        t.start(0);
        assertThat(t.onAck(2, SECOND / 2)).isEqualTo(new SendBlocks(3, 6));
        assertThat(t.onTimeout(SECOND)).as("timer fired before the deadline").isInstanceOf(Wait.class);
        assertThat(t.deadline()).isEqualTo(SECOND / 2 + SECOND);
        long now = t.deadline();
        assertThat(t.onTimeout(now)).isEqualTo(new SendBlocks(3, 6));
        assertThat(t.deadline() - now).as("second wait doubles").isEqualTo(2 * SECOND);
        now = t.deadline();
        assertThat(t.onTimeout(now)).isEqualTo(new SendBlocks(3, 6));
        assertThat(t.deadline() - now).as("then stays at four times").isEqualTo(4 * SECOND);
        assertThat(t.onTimeout(t.deadline())).isInstanceOf(Abandoned.class);
        assertThat(t.over()).isTrue();
        assertThat(t.resentBlocks()).isEqualTo(8);
    }

    @Test
    void silenceAfterTheLastWindowLeavesTheTransferUnconfirmedNotAbandoned() {
        // RFC 1350 §6: the final ACK may be lost, and a loader may start its file before sending it.
        TftpTransfer lockStep = transfer(512 * 2 + 1, 512, 1, Map.of());
        lockStep.start(0);
        lockStep.onAck(1, 1);
        assertThat(lockStep.onAck(2, 2)).isEqualTo(new SendBlocks(3, 3));
        assertThat(giveUp(lockStep)).isInstanceOf(Unconfirmed.class);
        assertThat(lockStep.bytesAcknowledged()).isEqualTo(1024);
        // A window client silent after the last window is the same.
        TftpTransfer windowed = transfer(10_000, 1000, 4, Map.of());
        windowed.start(0);
        windowed.onAck(4, 1);
        assertThat(windowed.onAck(8, 2)).isEqualTo(new SendBlocks(9, 11));
        assertThat(giveUp(windowed)).isInstanceOf(Unconfirmed.class);
        // One that said it has none of the last window (RFC 7440 §4) did not get the file.
        TftpTransfer missed = transfer(10_000, 1000, 4, Map.of());
        missed.start(0);
        missed.onAck(4, 1);
        missed.onAck(8, 2);
        assertThat(missed.onAck(8, 2 + SECOND / 2)).isEqualTo(new SendBlocks(9, 11));
        assertThat(giveUp(missed)).isInstanceOf(Abandoned.class);
        // Nor did one that never answered a file that fits one window: it may have had none of it.
        TftpTransfer silent = transfer(100, 512, 1, Map.of());
        assertThat(silent.start(0)).isEqualTo(new SendBlocks(1, 1));
        assertThat(giveUp(silent)).isInstanceOf(Abandoned.class);
    }

    @Test
    void aTimeoutTheClientAskedForIsUsedWithoutBackOff() {
        TftpTransfer t = new TftpTransfer(100_000, new TftpOptions(1000, 1, Duration.ofSeconds(3), Map.of("timeout", "3")), SETTINGS);
        t.start(0);
        t.onAck(0, 0);
        t.onTimeout(3 * SECOND);
        assertThat(t.deadline()).isEqualTo(6 * SECOND);
        t.onTimeout(6 * SECOND);
        assertThat(t.deadline()).isEqualTo(9 * SECOND);
    }

    @Test
    void blocksPast65535RollOverToZeroAndAcksFollow() {
        TftpTransfer t = transfer(512L * 70_000, 512, 4, Map.of());
        assertThat(t.wireBlock(65_535)).isEqualTo(65_535);
        assertThat(t.wireBlock(65_536)).isEqualTo(0);
        assertThat(t.wireBlock(65_537)).isEqualTo(1);
        assertThat(t.position(65_537)).isEqualTo(512L * 65_536);
        long block = 0;
        t.start(0);
        for (long acked = 4; acked < 65_534; acked += 4) {
            t.onAck(t.wireBlock(acked), 1);
            block = acked;
        }
        assertThat(block).isEqualTo(65_532);
        assertThat(t.onAck(t.wireBlock(65_536), 2)).isEqualTo(new SendBlocks(65_537, 65_540));
        assertThat(t.onAck(1, 3)).as("wire 1 is block 65,537 now").isEqualTo(new SendBlocks(65_538, 65_541));
    }

    @Test
    void rolloverToOneSkipsZero() {
        TftpTransfer t = new TftpTransfer(512L * 70_000, new TftpOptions(512, 4, Duration.ofSeconds(1), Map.of()),
                SETTINGS.withRollover(TftpSettings.Rollover.ONE));
        assertThat(t.wireBlock(65_535)).isEqualTo(65_535);
        assertThat(t.wireBlock(65_536)).isEqualTo(1);
        assertThat(t.wireBlock(131_070)).isEqualTo(65_535);
        assertThat(t.wireBlock(131_071)).isEqualTo(1);
    }

    /** Lets the timer fire until the transfer ends; its last step. */
    private static TftpTransfer.Step giveUp(TftpTransfer t) {
        TftpTransfer.Step step;
        do {
            step = t.onTimeout(t.deadline());
        } while (!t.over());
        return step;
    }

    private static TftpTransfer transfer(long size, int blockSize, int window, Map<String, String> acknowledged) {
        return new TftpTransfer(size, new TftpOptions(blockSize, window, Duration.ofSeconds(1), acknowledged), SETTINGS);
    }
}
