package org.bootferry.tftp;

import org.bootferry.tftp.TftpSettings.Rollover;

/**
 * The sending side of one read transfer, as a state machine without I/O: it is told about ACKs and
 * timer expiries and answers with the {@link Step} to take. Blocks are numbered absolutely (1, 2, …
 * past 65535) inside; only {@link #wireBlock} folds them onto the 16-bit wire numbers.
 *
 * <p>Confined to one thread (the transfer channel's event loop).
 */
final class TftpTransfer {

    /** What the caller does next. */
    sealed interface Step {
    }

    /** Send (again) the OACK. */
    record SendOptionAck() implements Step {
    }

    /** Send DATA for absolute blocks {@code first..last}, inclusive, then flush once. */
    record SendBlocks(long first, long last) implements Step {
    }

    /** Nothing to send: a duplicate or stale ACK, or a timer that fired before the deadline. */
    record Wait() implements Step {
    }

    /** The client acknowledged the last block. */
    record Complete() implements Step {
    }

    /** The client stopped answering; the transfer is over. */
    record Abandoned(String reason) implements Step {
    }

    /**
     * Every block went out, the client answered until the last window and never acknowledged that,
     * however often it was sent. RFC 1350 §6 expects the final ACK to be lost now and then, and a
     * loader has no second chance to send it: GRUB 2.06 (grub-core/net/tftp.c) sends it on the last
     * block, without checking that the send succeeded, and closes its socket at once. Seen under QEMU
     * with the initrd: the kernel booted with all of it. The client most likely has the file, but it
     * never said so. The transfer is over.
     */
    record Unconfirmed(String reason) implements Step {
    }

    private static final Step WAIT = new Wait();

    private final long size;
    private final int blockSize;
    private final int windowSize;
    private final long timeoutNanos;
    private final boolean backOff;
    private final int maxRetries;
    private final Rollover rollover;
    /** The final block is shorter than blockSize, possibly empty: that is how the client sees the end. */
    private final long lastBlock;

    private boolean optionAckPending;
    /** Whether the client has acknowledged anything yet. */
    private boolean answered;
    /** Whether the client acknowledged the block before the outstanding window again: it has none of that window. */
    private boolean windowMissed;
    private long acked;
    private long sent;
    private int retries;
    private long deadline;
    /** When the outstanding OACK or window was last sent. */
    private long lastSentAt;
    private long resentBlocks;
    private boolean over;

    TftpTransfer(long size, TftpOptions options, TftpSettings settings) {
        this.size = size;
        this.blockSize = options.blockSize();
        this.windowSize = options.windowSize();
        this.timeoutNanos = options.timeout().toNanos();
        this.backOff = !options.acknowledged().containsKey(TftpOptions.TIMEOUT);
        this.maxRetries = settings.maxRetries();
        this.rollover = settings.rollover();
        this.lastBlock = size / blockSize + 1;
        this.optionAckPending = !options.acknowledged().isEmpty();
    }

    /** The first packet(s): the OACK when options were accepted (RFC 2347), else DATA 1 (RFC 1350). */
    Step start(long now) {
        deadline = now + timeoutNanos;
        lastSentAt = now;
        return optionAckPending ? new SendOptionAck() : window(now);
    }

    Step onAck(int wire, long now) {
        if (over) {
            return WAIT;
        }
        if (optionAckPending) {
            // RFC 2347 §3: ACK 0 accepts the OACK. Anything else is a stray and changes nothing.
            if (wire != 0) {
                return WAIT;
            }
            optionAckPending = false;
            answered = true;
            retries = 0;
            return window(now);
        }
        long block = absolute(wire);
        if (block == acked && windowSize > 1 && sent > acked && now - lastSentAt >= timeoutNanos / 2) {
            // RFC 7440 §4: a receiver that times out acknowledges the last block it has in order,
            // and the sender starts a window after it; the block before the window means none of
            // the window arrived. Waiting for our own, backed-off timer instead loses clients whose
            // timeout is short (atftp gives up after five of its 1 s timeouts). Only an ACK sent
            // after the window had half a timeout to arrive counts, once per sending, so a repeat
            // that crossed the window cannot double the traffic (RFC 1123 §4.2.3.1); it counts as
            // a retransmission, so a client that keeps asking and never gets the window is let go.
            windowMissed = true;
            return retransmit(now);
        }
        if (block <= acked || block > sent) {
            // RFC 1123 §4.2.3.1: answering a duplicate ACK with data again doubles every later
            // packet (the Sorcerer's Apprentice). Only the timer retransmits.
            return WAIT;
        }
        acked = block;
        answered = true;
        retries = 0;
        if (acked == lastBlock) {
            over = true;
            return new Complete();
        }
        // RFC 7440 §4: an ACK short of the window's end means the client dropped what followed;
        // the next window starts right after the acknowledged block.
        return window(now);
    }

    /**
     * The client sent its RRQ again: it timed out before our first packet (the OACK, or DATA 1) reached
     * it, which our own timer would resend only after its back-off. Resent once it had half a timeout
     * to arrive, once per sending, as for a repeated ACK of a window; a transfer the client has
     * answered is not touched (the RRQ was delayed, not repeated).
     */
    Step onRequestRepeated(long now) {
        if (over || answered || now - lastSentAt < timeoutNanos / 2) {
            return WAIT;
        }
        return retransmit(now);
    }

    Step onTimeout(long now) {
        if (over || now < deadline) {
            return WAIT;
        }
        return retransmit(now);
    }

    /** The OACK or the outstanding window again, or the end after {@code maxRetries} of them. */
    private Step retransmit(long now) {
        if (++retries > maxRetries) {
            over = true;
            String after = "no answer after " + maxRetries + " retransmissions of ";
            if (optionAckPending) {
                return new Abandoned(after + "the OACK");
            }
            return onlyLastAckMissing() ? new Unconfirmed(after + "the last window")
                    : new Abandoned(after + "block " + (acked + 1));
        }
        deadline = now + retryDelay();
        lastSentAt = now;
        if (optionAckPending) {
            return new SendOptionAck();
        }
        resentBlocks += sent - acked;
        return new SendBlocks(acked + 1, sent);
    }

    /**
     * Whether, on an unfinished transfer, every block went out and all the client has not acknowledged
     * is the last window. Not for a client that never answered (it may have none of a file that fits
     * one window), nor for one that said it has none of the last window.
     */
    private boolean onlyLastAckMissing() {
        return sent == lastBlock && answered && !windowMissed;
    }

    /** Ends the transfer because the client sent an ERROR or the channel failed. */
    void abort() {
        over = true;
    }

    /**
     * RFC 1123 §4.2.3.2: retransmissions back off exponentially (here to 4 times the timeout), so
     * that a client whose timer runs at our pace gets its own retransmission through instead of
     * both sides resending in step. A timeout the client negotiated (RFC 2349) is used as given.
     */
    private long retryDelay() {
        return backOff ? timeoutNanos << Math.min(retries, 2) : timeoutNanos;
    }

    private Step window(long now) {
        windowMissed = false;
        deadline = now + timeoutNanos;
        lastSentAt = now;
        long first = acked + 1;
        sent = Math.min(acked + windowSize, lastBlock);
        return new SendBlocks(first, sent);
    }

    /** The 16-bit number of an absolute block: past 65535 it continues at 0 or 1, as configured. */
    int wireBlock(long block) {
        return rollover == Rollover.ZERO ? (int) (block & 0xFFFF) : (int) ((block - 1) % 0xFFFF) + 1;
    }

    /**
     * The absolute block an ACK refers to: the one at or before the last block sent with that wire
     * number. Windows are far smaller than the wire space, so that block is unique.
     */
    private long absolute(int wire) {
        if (rollover == Rollover.ONE && wire == 0) {
            return -1;
        }
        int modulus = rollover == Rollover.ZERO ? 0x10000 : 0xFFFF;
        return sent - Math.floorMod(wireBlock(sent) - wire, modulus);
    }

    boolean isLastBlock(long block) {
        return block == lastBlock;
    }

    long position(long block) {
        return (block - 1) * blockSize;
    }

    int length(long block) {
        return (int) Math.min(blockSize, size - position(block));
    }

    long deadline() {
        return deadline;
    }

    boolean over() {
        return over;
    }

    long size() {
        return size;
    }

    long resentBlocks() {
        return resentBlocks;
    }

    /** Bytes the client has acknowledged, for progress in logs. */
    long bytesAcknowledged() {
        return Math.min(size, acked * blockSize);
    }
}
