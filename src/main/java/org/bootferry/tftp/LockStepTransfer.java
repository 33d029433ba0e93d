package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a lock-step {@link ReadTransfer} (windowsize 1: one DATA per ACK) on a thread blocked in
 * {@code recvfrom} on the transfer's own socket, as tftp-hpa runs each transfer in a process of its
 * own. A lock-step transfer waits a round trip per block, so the path from an ACK's arrival to the
 * next DATA decides its speed: here the socket wakes the thread and one call reads the ACK, where an
 * event loop is woken through epoll and goes through its pipeline (docs/benchmarks.md, TFTP, has
 * both measured). Retransmissions are sent from a shared timer thread; the transfer's monitor keeps
 * the two threads apart.
 */
final class LockStepTransfer implements ReadTransfer.Io, Runnable {

    private static final Logger log = LoggerFactory.getLogger(TftpServer.class);
    /** Larger than any packet a client sends on a transfer port, so that none is cut short. */
    private static final int RECEIVE_BUFFER = 2048;

    private final ReadTransfer transfer;
    private final DatagramChannel channel;
    private final ScheduledExecutorService timer;
    private final Runnable finished;
    /** The first send that failed, handed to the transfer once the step that sent it is over. */
    private IOException sendFailure;

    /**
     * @param channel  the transfer's socket, bound and in blocking mode; closed when the transfer ends
     * @param finished run once the thread is done with the transfer
     */
    LockStepTransfer(ReadTransfer transfer, DatagramChannel channel, ScheduledExecutorService timer, Runnable finished) {
        this.transfer = transfer;
        this.channel = channel;
        this.timer = timer;
        this.finished = finished;
    }

    @Override
    public void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
        ByteBuf content = Unpooled.wrappedBuffer(buffer);
        // A thread dump names the transfer each pool thread serves.
        Thread thread = Thread.currentThread();
        String poolName = thread.getName();
        thread.setName(poolName + " " + transfer);
        try {
            step(() -> transfer.start(this));
            while (true) {
                buffer.clear();
                InetSocketAddress sender = (InetSocketAddress) channel.receive(buffer);
                content.setIndex(0, buffer.position());
                step(() -> transfer.received(content, sender));
            }
        } catch (ClosedChannelException e) {
            // The transfer ended and closed its socket (here, on the timer, or at shutdown).
            step(transfer::end);
        } catch (IOException e) {
            step(() -> transfer.failed(e));
        } finally {
            closeChannel();
            thread.setName(poolName);
            finished.run();
        }
    }

    /** One step of the transfer, on whichever thread: the receiver or the timer. */
    private synchronized void step(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            transfer.failed(e);
        }
        if (sendFailure != null) {
            IOException failure = sendFailure;
            sendFailure = null;
            transfer.failed(failure);
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    public boolean canSegment() {
        return false;
    }

    @Override
    public void send(ByteBuf content, InetSocketAddress to) {
        try {
            // The buffer's own NIO view: no object per datagram, and it is used up before the release.
            channel.send(content.internalNioBuffer(content.readerIndex(), content.readableBytes()), to);
        } catch (IOException e) {
            if (sendFailure == null) {
                sendFailure = e;
            }
        } finally {
            content.release();
        }
    }

    @Override
    public void sendSegments(ByteBuf segments, int segmentSize, InetSocketAddress to, long first, long last) {
        segments.release();
        throw new UnsupportedOperationException("no UDP segmentation on a lock-step transfer's socket");
    }

    @Override
    public void flush() {
        // Every send went out when it was made.
    }

    @Override
    public void execute(Runnable step) {
        timer.execute(() -> step(step));
    }

    @Override
    public void schedule(long deadline) {
        timer.schedule(() -> step(transfer::timerFired), Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
    }

    /** Wakes the receiving thread out of {@code recvfrom} with a ClosedChannelException. */
    @Override
    public void close() {
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a transfer socket failed", e);
        }
    }
}
