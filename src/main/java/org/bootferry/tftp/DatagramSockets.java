package org.bootferry.tftp;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sockets TFTP listens and sends on: their family and transport, and the IPv6 addresses to listen on. */
final class DatagramSockets {

    private static final Logger log = LoggerFactory.getLogger(DatagramSockets.class);

    private DatagramSockets() {
    }

    /**
     * epoll when the group runs on it (sendmmsg batches a window), NIO otherwise; of {@code address}'s
     * family, so that an IPv4 address, the wildcard {@code 0.0.0.0} too, is IPv4 only (a socket of the
     * IPv6 family bound to {@code 0.0.0.0} takes IPv6 as well).
     */
    static ChannelFactory<DatagramChannel> of(EventLoopGroup group, InetAddress address) {
        SocketProtocolFamily family = address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return epoll(group) ? () -> new EpollDatagramChannel(family) : () -> new NioDatagramChannel(family);
    }

    static boolean epoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup && ((IoEventLoopGroup) group).isIoType(EpollIoHandler.class);
    }

    /** The IPv6 addresses of this host's interfaces that are up, link-local ones with their zone. */
    static List<InetAddress> ownIpv6Addresses() {
        List<InetAddress> own = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp()) {
                    Collections.list(nif.getInetAddresses()).stream()
                            .filter(Inet6Address.class::isInstance).forEach(own::add);
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list this host's IPv6 addresses; TFTP over IPv6 is answered from the address the"
                    + " kernel's route picks: {}", e.getMessage());
        }
        return own;
    }
}
