package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link ReadTransfer} on a channel of its own (its TID) on an event loop: windowed
 * transfers, whose windows go out in one sendmmsg or UDP GSO send, and lock-step transfers beyond
 * the threads {@link LockStepTransfer} may use.
 */
final class TransferHandler extends SimpleChannelInboundHandler<DatagramPacket> implements ReadTransfer.Io {

    private final ReadTransfer transfer;
    private ChannelHandlerContext ctx;

    TransferHandler(ReadTransfer transfer) {
        this.transfer = transfer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        transfer.start(this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
        transfer.received(datagram.content(), datagram.sender());
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public boolean canSegment() {
        return ctx.channel() instanceof EpollDatagramChannel && SegmentedDatagramPacket.isSupported();
    }

    @Override
    public void send(ByteBuf content, InetSocketAddress to) {
        ctx.write(new DatagramPacket(content, to), ctx.voidPromise());
    }

    @Override
    public void sendSegments(ByteBuf segments, int segmentSize, InetSocketAddress to, long first, long last) {
        ctx.write(new SegmentedDatagramPacket(segments, segmentSize, to)).addListener(f -> {
            if (!f.isSuccess()) {
                // After the flush that failed, which does not take writes made during it.
                ctx.executor().execute(() -> transfer.segmentationRefused(first, last, f.cause()));
            }
        });
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void execute(Runnable step) {
        ctx.executor().execute(step);
    }

    @Override
    public void schedule(long deadline) {
        ctx.executor().schedule(transfer::timerFired, Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        // Not closed here and now: a transfer mostly ends inside a read (the last ACK), and Netty's
        // epoll read loop goes on calling recvmsg on the socket's number after a close within it.
        // By then the kernel may have handed that number to another thread's blocking socket
        // (PathMtu's route probe, a lock-step transfer), and the event loop would block in recvmsg
        // for good, with every channel it serves. As a task, the close runs once the loop's reads
        // are over.
        if (ctx != null) {
            ctx.channel().eventLoop().execute(ctx::close);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        transfer.end();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transfer.failed(cause);
    }
}
