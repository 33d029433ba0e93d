package org.bootferry.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * An event loop group and the channel types that go with it: Linux epoll when its native library
 * loads (sendfile, SO_REUSEPORT, UDP segmentation), Java NIO otherwise.
 */
public record Transport(
        EventLoopGroup group,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends DatagramChannel> datagramChannel,
        boolean epoll) implements AutoCloseable {

    /** @param threads event loops; 0 for Netty's default, twice the processors */
    public static Transport create(int threads) {
        if (Epoll.isAvailable()) {
            return new Transport(group(threads, EpollIoHandler.newFactory()),
                    EpollServerSocketChannel.class, EpollDatagramChannel.class, true);
        }
        return new Transport(group(threads, NioIoHandler.newFactory()),
                NioServerSocketChannel.class, NioDatagramChannel.class, false);
    }

    private static EventLoopGroup group(int threads, IoHandlerFactory factory) {
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
