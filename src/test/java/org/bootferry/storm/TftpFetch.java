package org.bootferry.storm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.bootferry.tftp.MalformedPacketException;
import org.bootferry.tftp.TftpCodec;
import org.bootferry.tftp.TftpError;
import org.bootferry.tftp.TftpPacket;

/**
 * How EDK2's PXE client (MTFTP4) reads the first-stage loader: a size probe ({@code tsize 0}, ended
 * with ERROR 8 after the OACK), then the read with {@code blksize 1468 windowsize 4}, acknowledging
 * every fourth block and the last (RFC 7440 §3). As EDK2's Mtftp4Rrq.c does on a lossy network: a
 * block out of order (after a gap, or a duplicate) is answered at once with an ACK of the last block
 * it has in order (RFC 7440 §4 leaves that choice to the receiver), which restarts the window count;
 * an OACK repeated before the first block (our ACK 0 was lost) is answered with ACK 0 again; after
 * {@value #TIMEOUT_MILLIS} ms of silence it repeats its last ACK, and gives up after {@value #RETRIES}
 * silent periods in a row.
 */
final class TftpFetch {

    /** What arrived: size, CRC-32C of the content, the size the probe announced. */
    record Result(long bytes, int crc, long tsize) {
    }

    /** Longer than the server's own retransmission timeout (1 s in bootferry, dnsmasq's 1–5 s backoff), as EDK2's is. */
    private static final int TIMEOUT_MILLIS = 4000;
    private static final int RETRIES = 5;

    private final InetSocketAddress server;
    private final InetAddress local;
    private final int blockSize;
    private final int windowSize;

    /** {@code local}: the client's address, which its sockets bind. */
    TftpFetch(InetSocketAddress server, InetAddress local, int blockSize, int windowSize) {
        this.server = server;
        this.local = local;
        this.blockSize = blockSize;
        this.windowSize = windowSize;
    }

    Result fetch(String name) throws StageFailure {
        try {
            long tsize = probe(name);
            return read(name, tsize);
        } catch (IOException e) {
            throw new StageFailure("TFTP " + name + ": " + e);
        }
    }

    private Map<String, String> options(boolean probe) {
        Map<String, String> o = new LinkedHashMap<>();
        if (probe) {
            o.put("tsize", "0");
        }
        o.put("blksize", Integer.toString(blockSize));
        o.put("windowsize", Integer.toString(windowSize));
        return o;
    }

    private long probe(String name) throws IOException, StageFailure {
        try (DatagramSocket socket = socket()) {
            byte[] rrq = encode(new TftpPacket.ReadRequest(name, "octet", options(true)));
            for (int attempt = 0; attempt <= RETRIES; attempt++) {
                socket.send(new DatagramPacket(rrq, rrq.length, server));
                Received r = receive(socket);
                if (r == null) {
                    continue;
                }
                if (r.packet() instanceof TftpPacket.OptionAck) {
                    String tsize = ((TftpPacket.OptionAck) r.packet()).options().get("tsize");
                    send(socket, new TftpPacket.Error(TftpError.OPTION_REFUSED, "User aborted the transfer"), r.from());
                    if (tsize == null) {
                        throw new StageFailure("TFTP " + name + ": the size probe's OACK has no tsize");
                    }
                    return Long.parseLong(tsize);
                }
                throw failure(name, "size probe", r.packet());
            }
            throw new StageFailure("TFTP " + name + ": no answer to the size probe (" + (RETRIES + 1) + " tries)");
        }
    }

    private Result read(String name, long tsize) throws IOException, StageFailure {
        try (DatagramSocket socket = socket()) {
            byte[] rrq = encode(new TftpPacket.ReadRequest(name, "octet", options(false)));
            socket.send(new DatagramPacket(rrq, rrq.length, server));
            InetSocketAddress tid = null;
            int block = blockSize;
            int window = windowSize;
            long expected = 1;
            int inWindow = 0;
            int timeouts = 0;
            long bytes = 0;
            CRC32C crc = new CRC32C();
            while (true) {
                Received r = receive(socket);
                if (r == null) {
                    if (++timeouts > RETRIES) {
                        throw new StageFailure("TFTP " + name + ": timed out " + timeouts + " times at block " + expected);
                    }
                    if (tid == null) {
                        socket.send(new DatagramPacket(rrq, rrq.length, server));
                    } else {
                        send(socket, new TftpPacket.Ack((int) ((expected - 1) & 0xFFFF)), tid);
                        inWindow = 0;
                    }
                    continue;
                }
                if (tid != null && !tid.equals(r.from())) {
                    send(socket, new TftpPacket.Error(TftpError.UNKNOWN_TID, "unknown transfer ID"), r.from());
                    continue;
                }
                if (r.packet() instanceof TftpPacket.OptionAck && tid == null) {
                    Map<String, String> accepted = ((TftpPacket.OptionAck) r.packet()).options();
                    block = Integer.parseInt(accepted.getOrDefault("blksize", "512"));
                    window = Integer.parseInt(accepted.getOrDefault("windowsize", "1"));
                    tid = r.from();
                    send(socket, new TftpPacket.Ack(0), tid);
                    continue;
                }
                if (!(r.packet() instanceof TftpPacket.Data)) {
                    if (r.packet() instanceof TftpPacket.OptionAck) {
                        if (expected == 1) {  // the server repeats its OACK: our ACK 0 was lost
                            send(socket, new TftpPacket.Ack(0), tid);
                        }
                        continue;
                    }
                    throw failure(name, "read", r.packet());
                }
                if (tid == null) {  // no option support: RFC 1350 lock-step, 512-byte blocks
                    tid = r.from();
                    block = 512;
                    window = 1;
                }
                TftpPacket.Data data = (TftpPacket.Data) r.packet();
                if (data.block() != (int) (expected & 0xFFFF)) {
                    // a block after a gap, or a duplicate: say at once where we are
                    send(socket, new TftpPacket.Ack((int) ((expected - 1) & 0xFFFF)), tid);
                    inWindow = 0;
                    continue;
                }
                timeouts = 0;
                int length = data.data().readableBytes();
                crc.update(data.data().nioBuffer());
                bytes += length;
                boolean last = length < block;
                if (++inWindow == window || last) {
                    send(socket, new TftpPacket.Ack(data.block()), tid);
                    inWindow = 0;
                }
                if (last) {
                    return new Result(bytes, (int) crc.getValue(), tsize);
                }
                expected++;
            }
        }
    }

    private record Received(TftpPacket packet, InetSocketAddress from) {
    }

    /** One receive buffer per transfer: a decoded packet shares it and is used up before the next receive. */
    private final byte[] buffer = new byte[65536];

    private static final int FIRST_PORT = 1024;
    private static final int LAST_PORT = 32767;
    /**
     * The port of the next transfer socket, shared by every machine of the storm. EDK2's UDP driver
     * (Udp4Impl.c, Udp4Bind) gives a socket opened without a port the next free one of a counter
     * that starts at a random value and moves on by one at each bind, so a machine never gets back
     * the port it has just closed. Here all machines share one address, where on a real link each has
     * its own; with Linux's random choice of a free port, a new socket sometimes got the one another
     * machine's transfer had just closed, and that transfer's retransmission still in flight (an OACK
     * the server repeated while the machine was slow to answer it) reached the new socket, which took
     * it for its own server's first packet: one machine in 10,000 failed so. One counter for all,
     * below Linux's ephemeral range (where the servers' transfer ports come from), reuses a port
     * only after {@value #LAST_PORT} - {@value #FIRST_PORT} binds.
     */
    private static final AtomicInteger nextPort = new AtomicInteger(
            FIRST_PORT + ThreadLocalRandom.current().nextInt(LAST_PORT - FIRST_PORT));

    private DatagramSocket socket() throws IOException {
        for (int tries = 0; ; tries++) {
            int port = FIRST_PORT + Math.floorMod(nextPort.getAndIncrement() - FIRST_PORT, LAST_PORT - FIRST_PORT + 1);
            try {
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress(local, port));
                socket.setSoTimeout(TIMEOUT_MILLIS);
                return socket;
            } catch (BindException taken) {
                if (tries > LAST_PORT - FIRST_PORT) {
                    throw taken;
                }
            }
        }
    }

    private Received receive(DatagramSocket socket) throws IOException, StageFailure {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        try {
            return new Received(TftpCodec.decode(Unpooled.wrappedBuffer(buffer, 0, p.getLength())),
                    (InetSocketAddress) p.getSocketAddress());
        } catch (MalformedPacketException e) {
            throw new StageFailure("TFTP: the server sent a malformed packet: " + e.getMessage());
        }
    }

    private static void send(DatagramSocket socket, TftpPacket packet, InetSocketAddress to) throws IOException {
        byte[] bytes = encode(packet);
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static byte[] encode(TftpPacket packet) {
        ByteBuf buf = Unpooled.buffer();
        TftpCodec.encode(packet, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private static StageFailure failure(String name, String step, TftpPacket packet) {
        if (packet instanceof TftpPacket.Error) {
            TftpPacket.Error e = (TftpPacket.Error) packet;
            return new StageFailure("TFTP " + name + " " + step + ": ERROR " + e.error().code() + " " + e.message());
        }
        return new StageFailure("TFTP " + name + " " + step + ": unexpected " + packet);
    }
}
