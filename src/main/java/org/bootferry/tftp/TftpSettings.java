package org.bootferry.tftp;

import java.time.Duration;

/**
 * How the TFTP server behaves; the server package maps configuration onto it, defaults included
 * (server.yaml's, the only ones).
 *
 * @param maxBlockSize  largest blksize we agree to (RFC 2348 allows 8–65464); requests are further
 *                      clamped to what fits the MTU of the interface that reaches the client
 * @param maxWindowSize largest windowsize we agree to (RFC 7440 allows 1–65535)
 * @param timeout       retransmission timeout when the client does not ask for one (RFC 2349)
 * @param maxRetries    retransmissions of one window (or OACK) before the transfer is abandoned
 * @param maxSessions   transfers in progress at once; requests beyond get an ERROR saying so
 * @param maxSessionsPerClient transfers one client address has in progress at once; beyond, an ERROR
 * @param rollover      the block number that follows 65535 in files of more than 65535 blocks
 */
public record TftpSettings(
        int maxBlockSize,
        int maxWindowSize,
        Duration timeout,
        int maxRetries,
        int maxSessions,
        int maxSessionsPerClient,
        Rollover rollover) {

    /** RFC 2348 §2: the largest block that fits a UDP datagram over IPv4 with a 65535-byte total. */
    public static final int MAX_BLOCK_SIZE = 65464;
    /** RFC 2348 §2: the smallest block size a client may ask for. */
    public static final int MIN_BLOCK_SIZE = 8;
    /** RFC 1350: the block size when none is negotiated. */
    public static final int DEFAULT_BLOCK_SIZE = 512;

    /** What comes after block 65535. No RFC says; clients disagree. */
    public enum Rollover {
        /** 65535 → 0: tftp-hpa, curl, atftp, EDK2, iPXE and most loaders expect this. */
        ZERO,
        /** 65535 → 1: a few old clients treat block 0 as the OACK acknowledgement forever. */
        ONE
    }

    public TftpSettings {
        if (maxBlockSize < MIN_BLOCK_SIZE || maxBlockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("TFTP maxBlockSize must be " + MIN_BLOCK_SIZE + ".." + MAX_BLOCK_SIZE + ", not " + maxBlockSize);
        }
        if (maxWindowSize < 1 || maxWindowSize > 65535) {
            throw new IllegalArgumentException("TFTP maxWindowSize must be 1..65535, not " + maxWindowSize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("TFTP timeout must be positive, not " + timeout);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("TFTP maxRetries must not be negative, not " + maxRetries);
        }
        if (maxSessions < 1 || maxSessionsPerClient < 1) {
            throw new IllegalArgumentException("TFTP maxSessions and maxSessionsPerClient must be at least 1, not "
                    + maxSessions + ", " + maxSessionsPerClient);
        }
    }

    /*
     * The withers below are called by tests only (the server builds its settings from server.yaml in
     * one go): a test varies the one setting it is about, e.g. millisecond timeouts so an abandoned
     * transfer ends within the test, and stays independent of this record's other components.
     */

    public TftpSettings withTimeout(Duration timeout, int maxRetries) {
        return new TftpSettings(maxBlockSize, maxWindowSize, timeout, maxRetries, maxSessions, maxSessionsPerClient, rollover);
    }

    public TftpSettings withMaxSessions(int maxSessions) {
        return new TftpSettings(maxBlockSize, maxWindowSize, timeout, maxRetries, maxSessions, maxSessionsPerClient, rollover);
    }

    public TftpSettings withMaxSessionsPerClient(int maxSessionsPerClient) {
        return new TftpSettings(maxBlockSize, maxWindowSize, timeout, maxRetries, maxSessions, maxSessionsPerClient,
                rollover);
    }

    public TftpSettings withRollover(Rollover rollover) {
        return new TftpSettings(maxBlockSize, maxWindowSize, timeout, maxRetries, maxSessions, maxSessionsPerClient, rollover);
    }
}
