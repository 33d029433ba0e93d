package org.bootferry.dhcp6;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.NeighbourTable;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.UnidentifiedClients;

/**
 * The boot-only DHCPv6 listener alone in its own JVM, so a test can run it inside a network namespace
 * ({@code ip netns exec NS java … Dhcp6Process CONFIG INTERFACE SERVER_ADDRESS [MESSAGE_FILE]}), with this
 * namespace's neighbour table and, when a message is given, the server DUID it names (a captured
 * REQUEST's, so that we are the server it asks). Prints
 * {@code listening dhcp6 …} when bound and runs until its standard input closes.
 */
public final class Dhcp6Process {

    private Dhcp6Process() {
    }

    public static void main(String[] args) throws Exception {
        ConfigSnapshot snapshot = ConfigLoader.load(Path.of(args[0])).requireValid();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> channel = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        BootOnly6 decision = new BootOnly6(new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot)),
                BootOnly6.DuidBook.NONE, args.length > 3 ? Dhcp6Codec.decode(Files.readAllBytes(Path.of(args[3])))
                        .option(Dhcp6Option.ServerId.class).orElseThrow().duid()
                        : new Duid.LinkLayer(1, Opaque.hex("020000000001")));
        try (Dhcp6Server server = new Dhcp6Server(Dhcp6Server.bootOnly(decision, NeighbourTable::lookup), e -> { },
                BootFamilies.NONE,
                new SimpleMeterRegistry(), iface -> { }, UnidentifiedClients.NONE)) {
            Dhcp6Server.Link link = new Dhcp6Server.Link(NetworkInterface.getByName(args[1]),
                    (Inet6Address) InetAddress.getByName(args[2]));
            Dhcp6Server.Bound bound = server.bind(group, channel, List.of(link), List.of(), 547, 4011);
            System.out.println("listening dhcp6 " + bound.port() + " " + bound.pxePort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our stdin (or dies)
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
