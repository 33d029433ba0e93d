package org.bootferry.tftp;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** One client's transfer from request to end; the key of duplicate-request detection. */
final class TftpSession {

    final InetSocketAddress client;
    final TftpPacket.ReadRequest request;
    /** The settings in force when the request came, kept for the whole transfer. */
    final TftpSettings settings;
    private final Consumer<TftpSession> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Closes the transfer's socket. */
    private volatile Runnable closer;
    private volatile boolean closed;
    /** Whether the transfer has sent its last block: all it waits for is the final ACK. */
    private volatile boolean lastBlockSent;
    /** Tells the running transfer that its client asked again. */
    private volatile Runnable repeated = () -> { };
    /** When the client last sent this request: {@link System#nanoTime()}. */
    private volatile long heard = System.nanoTime();

    /** @param onEnd told once when the transfer is over, whichever way */
    TftpSession(InetSocketAddress client, TftpPacket.ReadRequest request, TftpSettings settings,
            Consumer<TftpSession> onEnd) {
        this.client = client;
        this.request = request;
        this.settings = settings;
        this.onEnd = onEnd;
    }

    void attach(Runnable closeSocket) {
        closer = closeSocket;
        if (closed) {
            closeSocket.run();
        }
    }

    /** Whether {@code again} is this running transfer's RRQ sent again. */
    boolean repeatedBy(TftpPacket.ReadRequest again) {
        return !ended.get() && request.equals(again);
    }

    /** The client sent the request again: it is still waiting. */
    void heardAgain() {
        heard = System.nanoTime();
        repeated.run();
    }

    /** How long ago the client last sent the request. */
    long silentNanos() {
        return System.nanoTime() - heard;
    }

    void whenRequestRepeated(Runnable tell) {
        repeated = tell;
    }

    /**
     * Whether {@link #close} was called: a newer, different request from the client's port replaced
     * this one before its last block went out (the client went on without it), or the server stops.
     */
    boolean closed() {
        return closed;
    }

    /** The transfer has sent its last block (RFC 1350 §6: only the final ACK is left). */
    void lastBlockSent() {
        lastBlockSent = true;
    }

    /**
     * A newer, different request came from the client's port: the client went on. A transfer that has
     * sent its last block is left to end on its own, since the client asks for its next file once it
     * has this one and its final ACK may still be on the way; any other is closed.
     */
    void replaced() {
        if (!lastBlockSent) {
            close();
        }
    }

    void close() {
        closed = true;
        Runnable c = closer;
        if (c != null) {
            c.run();
        }
    }

    /** Called once when the transfer is over, whichever way. */
    void ended() {
        if (ended.compareAndSet(false, true)) {
            onEnd.accept(this);
        }
    }
}
