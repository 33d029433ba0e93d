package org.bootferry.dhcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The DHCP sockets both modes open: how they are configured, and how one is tied to a network device.
 * See {@link ProxyDhcpServer}'s class comment for why each socket is bound where it is.
 */
final class DhcpSockets {

    /** Receive buffer of every DHCP socket (as TFTP's request socket); the kernel caps it at net.core.rmem_max. */
    static final int REQUEST_BUFFER = 4 << 20;
    /** Linux's interface name buffer: 15 characters and a NUL (IFNAMSIZ, net/if.h). */
    private static final int IFNAMSIZ = 16;
    /**
     * SO_BINDTODEVICE (SOL_SOCKET 1, optname 25 in asm-generic/socket.h) through Netty's generic
     * setsockopt for epoll channels: no native code of ours, none added.
     */
    private static final RawUnixChannelOption BIND_TO_DEVICE = new RawUnixChannelOption("SO_BINDTODEVICE", 1, 25, IFNAMSIZ);
    /** Room for one datagram in a batched read. */
    private static final int MAX_DATAGRAM = 2048;
    /** Datagrams one recvmmsg(2) may return: Netty's default messages per read for datagram channels. */
    private static final int READ_BATCH = 16;

    private DhcpSockets() {
    }

    /** A bootstrap for DHCP sockets whose every channel gets a handler of its own from {@code handler}. */
    static Bootstrap bootstrap(EventLoopGroup group, Class<? extends DatagramChannel> type,
                               Supplier<ChannelHandler> handler) {
        Bootstrap b = new Bootstrap().group(group).channel(type)
                // A boot storm's DISCOVERs and REQUESTs arrive in bursts while the event loop is busy
                // with transfers; the kernel's default buffer (208 KiB, ~90 requests) drops the excess.
                .option(ChannelOption.SO_RCVBUF, REQUEST_BUFFER)
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler.get());
                    }
                });
        if (EpollDatagramChannel.class.isAssignableFrom(type)) {
            // A burst of DISCOVERs (a rack powering on) is read with one recvmmsg(2) per batch rather
            // than one recvmsg each: Netty reads that way once a datagram's room is set and the read
            // buffer holds several. 2048 bytes a datagram is the limit the default buffer had; DHCP
            // messages over Ethernet are at most 1472 (RFC 2131 §2: 576 is all a client must accept).
            b.option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * READ_BATCH));
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        return b;
    }

    /**
     * Opens a socket tied to one network device (SO_BINDTODEVICE, socket(7)) before binding it. The
     * option is set here rather than through the bootstrap, which would only log a failure and leave a
     * socket that hears every interface's broadcasts. Unprivileged since Linux 5.7 for a socket not yet
     * tied, CAP_NET_RAW before.
     */
    static Channel openOnDevice(Bootstrap bootstrap, String device, InetSocketAddress at) throws Exception {
        Channel channel = bootstrap.register().sync().channel();
        ByteBuffer name = ByteBuffer.allocateDirect(IFNAMSIZ);
        name.put(device.getBytes(StandardCharsets.US_ASCII)).position(0);
        try {
            channel.config().setOption(BIND_TO_DEVICE, name);
            channel.bind(at).sync();
        } catch (ChannelException e) {
            channel.close();
            throw new IOException("cannot tie a DHCP socket to interface " + device + " (SO_BINDTODEVICE: "
                    + e.getMessage() + "); bind to one address with --bind instead", e);
        } catch (Exception e) {
            channel.close();
            throw e;
        }
        return channel;
    }
}
