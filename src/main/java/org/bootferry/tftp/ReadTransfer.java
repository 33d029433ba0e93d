package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.bootferry.lang.QuietLog;
import org.bootferry.loader.LoaderFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read transfer on its own port (its TID), whatever runs its I/O: decodes what the client sends,
 * drives the {@link TftpTransfer} with it and with timer expiries, reads the blocks being sent from
 * the file (which keeps no buffer of the transfer's when it is a shared {@link SmallFiles} copy), and logs and reports the end. The {@link Io} it is given puts packets on the wire and
 * keeps its timer: an event loop channel ({@link TransferHandler}) or a thread blocked on the
 * transfer's socket ({@link LockStepTransfer}).
 *
 * <p>Confined to one thread at a time (the Io's).
 */
final class ReadTransfer {

    /** What a transfer needs from the socket it runs on. */
    interface Io {

        ByteBufAllocator alloc();

        /** Whether the kernel cuts one send of equal segments into datagrams for this socket (UDP GSO). */
        boolean canSegment();

        /** Queues one datagram; takes ownership of {@code content}. */
        void send(ByteBuf content, InetSocketAddress to);

        /**
         * Queues consecutive blocks {@code first..last} as one buffer of {@code segmentSize}-byte
         * segments (the last may be shorter) for the kernel to cut into datagrams; when the kernel
         * refuses, calls {@link #segmentationRefused}. Only called where {@link #canSegment}.
         */
        void sendSegments(ByteBuf segments, int segmentSize, InetSocketAddress to, long first, long last);

        /** Puts what was queued on the wire. */
        void flush();

        /** Runs a step of the transfer on the transfer's thread; safe to call from any thread. */
        void execute(Runnable step);

        /** Calls {@link #timerFired} at about {@code deadline} ({@link System#nanoTime()}). */
        void schedule(long deadline);

        /** Closes the socket once the transfer has ended; never called twice. */
        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(TftpServer.class);
    /** Linux accepts at most 64 segments per UDP GSO send (UDP_MAX_SEGMENTS) ... */
    private static final int GSO_MAX_SEGMENTS = 64;
    /** ... and no more than one IPv4 datagram's worth of payload: 65535 - 20 - 8. */
    private static final int GSO_MAX_BYTES = 65507;

    private final TransferReports reports;
    private final TftpSession session;
    private final InetSocketAddress peer;
    private final String name;
    private final TftpFile file;
    private final TftpOptions options;
    private final TftpTransfer transfer;
    /** DATA header + block: the size of every datagram but the last. */
    private final int segmentSize;
    /** Blocks per send: one, or as many as one UDP GSO send takes. */
    private int gsoSegments = 1;
    private Io io;
    private long started;
    private boolean ended;

    ReadTransfer(TftpSession session, String name, TftpFile file, TftpOptions options, TftpTransfer transfer,
            TransferReports reports) {
        this.reports = reports;
        this.session = session;
        this.peer = session.client;
        this.name = name;
        this.file = file;
        this.options = options;
        this.transfer = transfer;
        this.segmentSize = TftpCodec.DATA_HEADER_LENGTH + options.blockSize();
    }

    /** Sends the first packet(s) through {@code io}, which the transfer uses from now on. */
    void start(Io transferIo) {
        this.io = transferIo;
        if (session.closed()) {
            // Replaced by a newer request from the client's port (or the server stops) while its socket
            // was being opened: its first packet would reach the newer request's client.
            end();
            return;
        }
        session.whenRequestRepeated(() -> transferIo.execute(this::requestRepeated));
        if (io.canSegment()) {
            gsoSegments = Math.max(1, Math.min(GSO_MAX_SEGMENTS, GSO_MAX_BYTES / segmentSize));
        }
        started = System.nanoTime();
        if (apply(transfer.start(started))) {
            io.schedule(transfer.deadline());
        }
    }

    /** A datagram that arrived on the transfer's port. */
    void received(ByteBuf content, InetSocketAddress sender) {
        if (ended) {
            return;  // queued behind the packet that ended the transfer (a repeated last ACK)
        }
        if (!sender.equals(peer)) {
            // RFC 1350 §4: a packet from another TID gets ERROR 5 and does not disturb the transfer.
            log.debug("packet from {} on the transfer port of {}: unknown TID", sender, peer);
            send(new TftpPacket.Error(TftpError.UNKNOWN_TID, "unknown transfer ID: this port serves another client"), sender);
            io.flush();
            return;
        }
        TftpPacket packet;
        try {
            packet = TftpCodec.decode(content);
        } catch (MalformedPacketException e) {
            // Only the client's own port gets here; its retransmission or ours repairs a bad packet.
            log.debug("malformed packet from {} during the transfer of '{}': {}", peer, name, e.getMessage());
            return;
        }
        if (packet instanceof TftpPacket.Ack) {
            apply(transfer.onAck(((TftpPacket.Ack) packet).block(), System.nanoTime()));
        } else if (packet instanceof TftpPacket.Error) {
            TftpPacket.Error error = (TftpPacket.Error) packet;
            // EDK2 asks for tsize and ends with ERROR 8 after the OACK; that is a probe, not a failure.
            boolean probe = error.error() == TftpError.OPTION_REFUSED && transfer.bytesAcknowledged() == 0;
            String line = "client " + peer + " ended the transfer of '" + name + "' with ERROR " + error.error().code()
                    + " '" + LoaderFiles.printable(error.message()) + "' after " + transfer.bytesAcknowledged() + " of " + transfer.size()
                    + " bytes";
            if (probe) {
                log.debug(line);
            } else {
                reports.lines().log(QuietLog.Level.INFO, peer.getAddress(), "error", line);
            }
            end();
        } else {
            reports.lines().log(QuietLog.Level.INFO, peer.getAddress(), "unexpected", "client " + peer + " sent "
                    + packet.getClass().getSimpleName() + " during the read of '" + name + "'; ending the transfer");
            send(new TftpPacket.Error(TftpError.ILLEGAL_OPERATION, "only ACK and ERROR are expected on a read transfer"), peer);
            io.flush();
            end();
        }
    }

    /**
     * The timer set through {@link Io#schedule}: one per transfer, set again for the current
     * deadline when it fires early, so that ACKs (thousands a second) never touch a scheduler.
     */
    void timerFired() {
        if (ended) {
            return;
        }
        if (apply(transfer.onTimeout(System.nanoTime()))) {
            io.schedule(transfer.deadline());
        }
    }

    /** The client sent its request again: see {@link TftpTransfer#onRequestRepeated}. */
    private void requestRepeated() {
        if (!ended) {
            apply(transfer.onRequestRepeated(System.nanoTime()));
        }
    }

    /** The kernel refused UDP segmentation (EIO on devices without checksum offload): one datagram per block. */
    void segmentationRefused(long first, long last, Throwable cause) {
        if (ended) {
            return;
        }
        log.debug("UDP segmentation refused towards {} ({}); sending datagrams one by one", peer, cause.toString());
        gsoSegments = 1;
        sendBlocks(first, last);
    }

    /** Carries out a step; false when the transfer is over. */
    private boolean apply(TftpTransfer.Step step) {
        if (step instanceof TftpTransfer.SendBlocks) {
            TftpTransfer.SendBlocks blocks = (TftpTransfer.SendBlocks) step;
            if (transfer.isLastBlock(blocks.last())) {
                session.lastBlockSent();
            }
            return sendBlocks(blocks.first(), blocks.last());
        }
        if (step instanceof TftpTransfer.SendOptionAck) {
            send(new TftpPacket.OptionAck(options.acknowledged()), peer);
            io.flush();
            return true;
        }
        if (step instanceof TftpTransfer.Complete) {
            long nanos = System.nanoTime() - started;
            reports.ended(peer, name, TransferReports.Outcome.COMPLETE, transfer.size(), transfer.size(), nanos / 1_000_000,
                    transfer.resentBlocks());
            log.info("sent '{}' to {}: {} bytes in {} ms ({} MB/s), blksize {}, windowsize {}, {} blocks resent",
                    name, peer, transfer.size(), nanos / 1_000_000, String.format("%.1f", transfer.size() * 1000.0 / Math.max(nanos, 1)),
                    options.blockSize(), options.windowSize(), transfer.resentBlocks());
            end();
            return false;
        }
        if (step instanceof TftpTransfer.Unconfirmed) {
            gaveUp(TransferReports.Outcome.UNCONFIRMED, "sent all of '" + name + "' to " + peer + ", unconfirmed: "
                    + ((TftpTransfer.Unconfirmed) step).reason());
            return false;
        }
        if (step instanceof TftpTransfer.Abandoned) {
            gaveUp(TransferReports.Outcome.ABANDONED, "abandoned the transfer of '" + name + "' to " + peer + ": "
                    + ((TftpTransfer.Abandoned) step).reason());
            return false;
        }
        return !transfer.over();
    }

    /** Ends a transfer the client stopped answering: counted, journaled, and one line a minute for its address. */
    private void gaveUp(TransferReports.Outcome outcome, String line) {
        reports.ended(peer, name, outcome, transfer.bytesAcknowledged(), transfer.size(),
                (System.nanoTime() - started) / 1_000_000, transfer.resentBlocks());
        reports.lines().log(QuietLog.Level.INFO, peer.getAddress(), outcome.tag(), line + " ("
                + transfer.bytesAcknowledged() + " of " + transfer.size() + " bytes acknowledged)");
        end();
    }

    /**
     * Sends blocks {@code first..last} and flushes once (Netty's epoll transport hands a window to
     * the kernel with one sendmmsg). Where the kernel offers UDP segmentation (GSO), consecutive
     * blocks also travel as one buffer of header+data segments that the kernel cuts into datagrams,
     * which saves the per-datagram trip through the socket layer.
     */
    private boolean sendBlocks(long first, long last) {
        long block = first;
        while (block <= last) {
            long batchFirst = block;
            int batch = (int) Math.min(last - block + 1, gsoSegments);
            ByteBuf out = io.alloc().directBuffer(batch * segmentSize);
            try {
                for (int i = 0; i < batch; i++, block++) {
                    TftpCodec.writeDataHeader(out, transfer.wireBlock(block));
                    file.read(transfer.position(block), transfer.length(block), out);
                }
            } catch (IOException e) {
                out.release();
                log.warn("cannot read '{}' for {}: {}", name, peer, e.getMessage());
                send(new TftpPacket.Error(TftpError.NOT_DEFINED, "server cannot read '" + name + "': " + e.getMessage()), peer);
                io.flush();
                end();
                return false;
            }
            if (batch == 1) {
                io.send(out, peer);
            } else {
                io.sendSegments(out, segmentSize, peer, batchFirst, block - 1);
            }
        }
        io.flush();
        return true;
    }

    private void send(TftpPacket packet, InetSocketAddress to) {
        io.send(TftpCodec.encode(packet, io.alloc()), to);
    }

    /** The socket failed under the transfer. */
    void failed(Throwable cause) {
        if (ended) {
            return;  // a write still under way when the transfer ended: nothing left to free
        }
        if (session.closed()) {
            // Its socket was closed under it: a newer request from the client's port replaced this one, or the server stops.
            log.debug("transfer {} ended: its request was replaced or the server stops ({})", this, cause.toString());
            end();
            return;
        }
        // The socket's error (an ICMP port unreachable from a client gone, say): its text says it all.
        reports.lines().log(QuietLog.Level.WARN, peer.getAddress(), "failed", "transfer of '" + name + "' to " + peer
                + " failed: " + cause);
        end();
    }

    /** For thread names and logs: {@code 'name' to /client:port}. */
    @Override
    public String toString() {
        return "'" + name + "' to " + peer;
    }

    /** Frees everything the transfer holds and closes its socket; safe to call more than once. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        transfer.abort();
        try {
            file.close();
        } catch (IOException e) {
            log.debug("closing '{}' failed", name, e);
        }
        session.ended();
        if (io != null) {
            io.close();
        }
    }
}
