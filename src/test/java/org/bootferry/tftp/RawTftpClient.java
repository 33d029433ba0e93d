package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * A client that sends exactly the packets a test chooses (replayed captures, hostile names,
 * duplicate ACKs), for the protocol edges real clients never exercise.
 */
final class RawTftpClient implements AutoCloseable {

    /** A packet and the port it came from (the transfer's TID). */
    record Received(TftpPacket packet, InetSocketAddress from) {
    }

    final DatagramSocket socket;

    RawTftpClient() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    RawTftpClient(InetSocketAddress local) throws IOException {
        socket = new DatagramSocket(local);
    }

    /** Closes every client of {@code clients} that was made (a test may fail while filling it). */
    static void closeAll(RawTftpClient[] clients) {
        for (RawTftpClient c : clients) {
            if (c != null) {
                c.close();
            }
        }
    }

    void send(byte[] datagram, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, to));
    }

    void send(TftpPacket packet, InetSocketAddress to) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        TftpCodec.encode(packet, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        send(bytes, to);
    }

    void request(String name, Map<String, String> options, InetSocketAddress server) throws IOException {
        send(new TftpPacket.ReadRequest(name, "octet", options), server);
    }

    /** The next packet, or null when none arrives within {@code wait}. */
    Received receive(Duration wait) throws IOException {
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        byte[] buf = new byte[65536];
        DatagramPacket datagram = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(datagram);
        } catch (SocketTimeoutException e) {
            return null;
        }
        try {
            byte[] copy = java.util.Arrays.copyOf(buf, datagram.getLength());
            return new Received(TftpCodec.decode(Unpooled.wrappedBuffer(copy)), (InetSocketAddress) datagram.getSocketAddress());
        } catch (MalformedPacketException e) {
            throw new AssertionError("server sent a malformed packet: " + e.getMessage());
        }
    }

    Received expect(Duration wait) throws IOException {
        Received r = receive(wait);
        if (r == null) {
            throw new AssertionError("no packet from the server within " + wait);
        }
        return r;
    }

    /**
     * Receives a whole file as RFC 7440 describes a receiver: ACK after every {@code window} blocks
     * and after the last, wire block numbers followed through their rollover.
     *
     * @param rolloverTo the block number the server uses after 65535
     * @param wires      receives each DATA's wire number in arrival order, if not null
     */
    byte[] receiveFile(int blockSize, int window, int rolloverTo, java.util.List<Integer> wires) throws IOException {
        return receiveFile(blockSize, window, rolloverTo, wires, 1);
    }

    /** The same, when the blocks before {@code firstBlock} were already received and acknowledged. */
    byte[] receiveFile(int blockSize, int window, int rolloverTo, java.util.List<Integer> wires, int firstBlock) throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int expected = firstBlock;
        int inWindow = 0;
        while (true) {
            Received r = expect(Duration.ofSeconds(5));
            if (r.packet() instanceof TftpPacket.OptionAck && expected == firstBlock && inWindow == 0) {
                // The OACK again, before any DATA: the server heard our RRQ twice (we asked again when its
                // first answer was late) and answered the repeat; our ACK of the first one starts the data.
                continue;
            }
            if (!(r.packet() instanceof TftpPacket.Data)) {
                throw new AssertionError("expected DATA, got " + r.packet());
            }
            TftpPacket.Data data = (TftpPacket.Data) r.packet();
            if (data.block() != expected) {
                throw new AssertionError("expected block " + expected + ", got " + data.block());
            }
            if (wires != null) {
                wires.add(data.block());
            }
            byte[] bytes = new byte[data.data().readableBytes()];
            data.data().getBytes(data.data().readerIndex(), bytes);
            content.write(bytes);
            boolean last = bytes.length < blockSize;
            if (++inWindow == window || last) {
                send(new TftpPacket.Ack(data.block()), r.from());
                inWindow = 0;
            }
            if (last) {
                return content.toByteArray();
            }
            expected = expected == 0xFFFF ? rolloverTo : expected + 1;
        }
    }

    InetSocketAddress local() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
