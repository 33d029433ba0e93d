package org.bootferry.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's notify protocol ({@code sd_notify(3)}): datagrams of {@code KEY=VALUE} lines sent to the
 * AF_UNIX socket named by {@code NOTIFY_SOCKET}, which is how a {@code Type=notify} unit says it is
 * ready, reloading or stopping. Without that variable (not under systemd) every call does nothing.
 *
 * <p>JDK 17's {@code DatagramChannel} has no AF_UNIX, so the datagrams go through Netty's epoll
 * domain datagram channel, whose native library is already loaded for the listeners: no native
 * code of ours. A name starting with {@code @} is in the abstract namespace (systemd's own
 * convention); Netty passes the path's bytes and their exact length to {@code sendto}, so a leading
 * NUL byte reaches that namespace too. Sending never fails the server: a lost notification only
 * delays what systemd shows, so failures are logged and forgotten.
 */
public final class SystemdNotify implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

    private final DomainSocketAddress target;
    private final EventLoopGroup group;
    private final Channel channel;

    private SystemdNotify(DomainSocketAddress target, EventLoopGroup group, Channel channel) {
        this.target = target;
        this.group = group;
        this.channel = channel;
    }

    /** The socket systemd named in {@code NOTIFY_SOCKET}, or one that does nothing. */
    public static SystemdNotify fromEnvironment() {
        return to(System.getenv("NOTIFY_SOCKET"));
    }

    /** @param socket a path, {@code @name} for the abstract namespace, or null/empty for none */
    public static SystemdNotify to(String socket) {
        if (socket == null || socket.isEmpty()) {
            return new SystemdNotify(null, null, null);
        }
        if (!Epoll.isAvailable()) {
            log.warn("NOTIFY_SOCKET is set but Netty's epoll transport is unavailable ({}): systemd will not hear "
                    + "that bootferry is ready (use Type=simple then)", Epoll.unavailabilityCause().toString());
            return new SystemdNotify(null, null, null);
        }
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            // Unbound and unconnected, like sd_notify's socket: every datagram names its target, so a
            // systemd that re-executed itself (and made the socket anew) still hears us.
            Channel channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                    .handler(new ChannelHandlerAdapter() { })
                    .register().sync().channel();
            return new SystemdNotify(new DomainSocketAddress(path), group, channel);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            log.warn("cannot open a socket to NOTIFY_SOCKET {}: {}", socket, e.toString());
            return new SystemdNotify(null, null, null);
        }
    }

    public boolean enabled() {
        return channel != null;
    }

    /** Every listener is bound: systemd starts the units ordered after this one. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** A reload begins; systemd ≥ 253 wants the monotonic clock with it to tell reloads apart. */
    public void reloading() {
        // HotSpot's nanoTime is CLOCK_MONOTONIC on Linux, the clock MONOTONIC_USEC= is read on.
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    /** What {@code systemctl status} shows under the unit's name. */
    public void status(String status) {
        send("STATUS=" + oneLine(status));
    }

    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    /** Sends one datagram and waits for it to leave, so that a READY=1 precedes what follows it. */
    void send(String message) {
        if (channel == null) {
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            ChannelFuture sent = channel.writeAndFlush(new DomainDatagramPacket(Unpooled.wrappedBuffer(bytes), target));
            if (!sent.await(2, TimeUnit.SECONDS) || !sent.isSuccess()) {
                log.warn("systemd notification {} not sent to NOTIFY_SOCKET: {}", message.replace('\n', ' '),
                        sent.cause() == null ? "timed out" : sent.cause().toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A newline would start another KEY=VALUE line of the protocol. */
    private static String oneLine(String status) {
        return status.replace('\n', ' ');
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
