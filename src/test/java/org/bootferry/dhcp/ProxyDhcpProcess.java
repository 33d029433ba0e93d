package org.bootferry.dhcp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.nio.file.Path;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;

/**
 * The ProxyDHCP responder alone in its own JVM, so a test can run it inside a network namespace
 * ({@code ip netns exec NS java … ProxyDhcpProcess CONFIG BIND DHCP_PORT PXE_PORT}). Prints
 * {@code listening proxydhcp …} when bound and runs until its standard input closes.
 */
public final class ProxyDhcpProcess {

    private ProxyDhcpProcess() {
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + literal, e);
        }
    }

    public static void main(String[] args) throws Exception {
        ConfigSnapshot snapshot = ConfigLoader.load(Path.of(args[0])).requireValid();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> channel = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        try (ProxyDhcpServer server = new ProxyDhcpServer(DhcpSettings.defaults(), new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot)), e -> { },
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), org.bootferry.machine.Discoveries.NONE)) {
            java.util.Optional<InetAddress> advertise = snapshot.settings().advertise().map(ProxyDhcpProcess::address);
            ProxyDhcpServer.Bound bound = server.bind(group, channel, InetAddress.getByName(args[1]), advertise,
                    Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            System.out.println("listening proxydhcp udp " + bound.dhcp() + " " + bound.pxe());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our stdin (or dies)
            }
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
