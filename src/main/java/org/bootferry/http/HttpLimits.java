package org.bootferry.http;

import java.time.Duration;

/**
 * What one client, and all together, may hold of the HTTP listener, and how long a connection may
 * take (server.yaml's {@code http:} section, which the server package maps onto this): past a limit a client gets a clear error (503, 408), {@code bootferry_http_limited_total{limit}}
 * counts it and one log line per client and limit per minute says so ({@link Guard}).
 *
 * @param connectionsPerClient open connections from one address (iPXE and UEFI HTTP Boot use one or two)
 * @param connections          open connections from everyone: below the process's file descriptor limit,
 *                             so that TFTP, the config watcher and the image cache always have some
 * @param waitingPerClient     requests from one address waiting for an image pull
 * @param waiting              requests from everyone waiting for an image pull
 * @param idle                 how long a connection may wait for its next request's first byte, and
 *                             how long an answer may wait on a full socket without a byte of it
 *                             leaving (a client that stopped reading: {@link Deadlines})
 * @param request              how long a request may take from its first byte to its last (headers and
 *                             body): a client trickling bytes is closed with 408 after it
 */
public record HttpLimits(int connectionsPerClient, int connections, int waitingPerClient, int waiting,
        Duration idle, Duration request) {

    /**
     * As server.yaml's defaults: a lab of a thousand machines booting at once, each with its own
     * address, fits with room to spare; 8,192 connections stay well below the 65,536 file descriptors
     * the systemd unit gives.
     */
    public static final HttpLimits DEFAULTS = new HttpLimits(32, 8192, 8, 2048, Duration.ofSeconds(60),
            Duration.ofSeconds(15));

    public HttpLimits {
        if (connectionsPerClient < 1 || connections < 1 || waitingPerClient < 1 || waiting < 1) {
            throw new IllegalArgumentException("HTTP limits must be at least 1");
        }
        if (idle.isNegative() || idle.isZero() || request.isNegative() || request.isZero()) {
            throw new IllegalArgumentException("HTTP timeouts must be positive: " + idle + ", " + request);
        }
    }
}
