package org.bootferry.dhcp6;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioChannelOption;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.bootferry.boot.Capability;
import org.bootferry.lang.QuietLog;
import org.bootferry.lang.RecordJournal;
import org.bootferry.lang.QuietLog.Level;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Neighbours;
import org.bootferry.machine.UnidentifiedClient;
import org.bootferry.machine.UnidentifiedClients;
import org.bootferry.lang.AddressText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot-only DHCPv6 listener: reads a datagram, decodes it, asks {@link BootOnly6}, sends the
 * answer back to the datagram's source address and port (a client listens where it sent from: 546 by
 * RFC 8415 §7.2, 4011 for EDK2's boot-service REQUEST; a relay agent on 547, or the port it sent from,
 * RFC 8357). Nothing escapes a handler: a malformed datagram or one not answered costs a debug line;
 * a boot client that cannot be identified one warning per client a minute, with its DUID to paste
 * into its machine file's {@code duid:}, and a row in {@link UnidentifiedClients}. Before that, boot-only
 * mode looks a client on a boot link up in the kernel's neighbour table ({@link Neighbours}), which
 * runs a command: on a thread of its own, never the event loop, with a bounded queue ({@link #bootOnly}).
 *
 * <p>Sockets, and why. The site's DHCPv6 server may run on this host and port, so every socket sets
 * SO_REUSEADDR and SO_REUSEPORT, and never takes that server's unicast where it can be helped:
 * <ul>
 *   <li>On each boot interface a socket is bound to [ff02::1:2%interface]:547 and joins that group
 *       there (RFC 8415 §7.1, All_DHCP_Relay_Agents_and_Servers). Linux lets a UDP socket bind a
 *       multicast address (the bind ties it to the scope's interface) and then delivers to it only
 *       datagrams for that group, to every socket that joined: the site server hears them too.
 *   <li>Relay agents unicast RELAY-FORW to an address of ours: a socket on each server address,
 *       port 547. A site server on this host that uses the same address shares its unicast with us
 *       (we answer nothing that is not a boot client's), so give bootferry its own address.
 *   <li>UDP 4011 on each server address: EDK2 sends its boot-service REQUEST to the host of the
 *       option 59 URL (reference/ipv6, {@code proxy6-pxe}); its REPLY goes out again
 *       after a while, as EDK2 may not be listening yet ({@link #PXE_REPLY_AGAIN_MILLIS}).
 * </ul>
 */
public final class Dhcp6Server implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dhcp6Server.class);
    /** RFC 8415 §7.1: All_DHCP_Relay_Agents_and_Servers. */
    public static final Inet6Address ALL_SERVERS = (Inet6Address) ip("ff02::1:2");
    /** Room for one datagram: RFC 8415 messages fit the IPv6 minimum MTU's payload, a jumbo frame's at most. */
    private static final int MAX_DATAGRAM = 9000;
    /** Neighbour lookups waiting at most; more are not asked (a storm of unidentified clients). */
    private static final int LOOKUPS_QUEUED = 64;
    /**
     * When a REPLY on the PXE port is sent again, milliseconds after the first. EDK2 opens the socket
     * it reads that REPLY on only once its REQUEST has left (NetworkPkg PxeBcRequestBootService:
     * UdpWrite, then Udp6Read->Configure, then UdpRead for PXEBC_UDP_TIMEOUT, 3 s) and never sends the
     * REQUEST again. A REPLY that comes before the reader is configured is dropped, and 3 s later the
     * boot fails with PXE-E16: seen with AAVMF under QEMU TCG, our REPLY on the wire 4 ms after the
     * REQUEST. The copies fall inside the 3 s; the client takes the first its reader sees and drops
     * the rest (it closes the reader once it has one).
     */
    private static final long[] PXE_REPLY_AGAIN_MILLIS = {20, 200, 1000};

    private final Decider decider;
    private final BootLog events;
    private final BootFamilies families;
    private final MeterRegistry registry;
    private final Consumer<String> bootClientOn;
    private final UnidentifiedClients unidentified;
    private final QuietLog clientLines = new QuietLog(log);
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    /** A boot link: the interface whose ff02::1:2 is joined and the address its clients are told. */
    public record Link(NetworkInterface nif, Inet6Address server) {
    }

    /**
     * What a datagram is answered with: boot-only mode's {@link BootOnly6} ({@link #bootOnly}) or
     * server mode's {@link ServerDhcp6} with its journal ({@link #stateful}). The future completes
     * once the answer may leave.
     */
    @FunctionalInterface
    public interface Decider {
        CompletableFuture<BootOnly6.Decision> decide(Dhcp6Message received, Inet6Address source, Inet6Address server,
                BootOnly6.Listener listener, Optional<String> iface);
    }

    /**
     * Boot-only mode: {@code decision}'s answer; when it says the neighbour table should be asked,
     * {@code neighbours} is asked on a thread of its own (it may run a command) and the decision made
     * again with what it said. Past {@link #LOOKUPS_QUEUED} waiting lookups the client stays
     * unidentified, and says so. The thread ends when idle.
     */
    public static Decider bootOnly(BootOnly6 decision, Neighbours neighbours) {
        ThreadPoolExecutor lookups = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(LOOKUPS_QUEUED), r -> {
                    Thread t = new Thread(r, "dhcp6-neighbours");
                    t.setDaemon(true);
                    return t;
                });
        lookups.allowCoreThreadTimeOut(true);
        return (received, source, server, listener, iface) -> {
            BootOnly6.Decision d = decision.decide(received, source, server, listener);
            if (!(d instanceof BootOnly6.Unidentified u && u.askNeighbours())) {
                return CompletableFuture.completedFuture(d);
            }
            try {
                return CompletableFuture.supplyAsync(() -> decision.decide(received, source, server, listener,
                        BootOnly6.Neighbour.of(neighbours.macOf(onLink(source, iface)))), lookups);
            } catch (RejectedExecutionException busy) {
                List<String> tried = new ArrayList<>(u.tried());
                tried.add(ClientMac.Source.NEIGHBOUR_TABLE.missed("not asked, " + LOOKUPS_QUEUED
                        + " lookups were waiting already"));
                return CompletableFuture.completedFuture(new BootOnly6.Unidentified(u.clientId(), tried, false));
            }
        };
    }

    /** {@code source} with the boot link's interface as its scope: which link's neighbour entry counts. */
    private static Inet6Address onLink(Inet6Address source, Optional<String> iface) {
        try {
            NetworkInterface nif = iface.isEmpty() ? null : NetworkInterface.getByName(iface.get());
            return nif == null ? source : Inet6Address.getByAddress(null, source.getAddress(), nif);
        } catch (SocketException | UnknownHostException e) {
            return source;
        }
    }

    /**
     * Server mode: the decision's records are stored in {@code journal} before its answer leaves (RFC
     * 8415 §18.3 has the server record a binding before it replies); a failed write sends nothing, and
     * the client asks again.
     */
    public static Decider stateful(ServerDhcp6 decision, RecordJournal<Lease6> journal, LongSupplier clock) {
        return (received, source, server, listener, iface) -> {
            ServerDhcp6.Outcome outcome = decision.decide(received, source, server, listener, iface, clock.getAsLong());
            CompletableFuture<?>[] stored = outcome.leases().stream().map(journal::put).toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(stored).thenApply(done -> outcome.decision());
        };
    }

    /** Where this listener is bound: the DHCPv6 port (547) and the PXE port (4011) as bound. */
    public record Bound(int port, int pxePort) {
    }

    /**
     * @param events       told of every answer sent: the boot's first step
     * @param families     told of every firmware given a boot file (iPXE's DHCPv4 then names none)
     * @param registry     where {@code bootferry_dhcp6_replies_total{type,firmware}} is counted
     * @param bootClientOn told the interface of each answer sent on a boot link (not to a relay agent):
     *                     whether the link has Router Advertisements is asked there
     * @param unidentified told of each boot client not answered because nothing tied it to a MAC
     */
    public Dhcp6Server(Decider decider, BootLog events, BootFamilies families, MeterRegistry registry,
            Consumer<String> bootClientOn, UnidentifiedClients unidentified) {
        this.decider = decider;
        this.events = events;
        this.families = families;
        this.registry = registry;
        this.bootClientOn = bootClientOn;
        this.unidentified = unidentified;
    }

    /**
     * Binds, for each link, the group socket on its interface and the unicast sockets on its server
     * address; for each of {@code unicastOnly}, only the unicast sockets (relayed clients). Port 0 picks
     * free ports, the same for every address.
     *
     * @throws Exception the bind or join failure, with nothing left bound
     */
    public Bound bind(EventLoopGroup group, Class<? extends DatagramChannel> channelType, List<Link> links,
            List<Inet6Address> unicastOnly, int port, int pxePort) throws Exception {
        try {
            int dhcpPort = port;
            int pxe = pxePort;
            for (Link link : links) {
                Inet6Address scoped = Inet6Address.getByAddress(null, ALL_SERVERS.getAddress(), link.nif());
                Optional<String> iface = Optional.of(link.nif().getName());
                Channel multicast = open(bootstrap(group, channelType, BootOnly6.Listener.DHCP, link.server(), iface),
                        new InetSocketAddress(scoped, dhcpPort));
                dhcpPort = ((InetSocketAddress) multicast.localAddress()).getPort();
                ((DatagramChannel) multicast).joinGroup(new InetSocketAddress(ALL_SERVERS, dhcpPort), link.nif()).sync();
                int[] bound = unicast(group, channelType, link.server(), iface, dhcpPort, pxe);
                dhcpPort = bound[0];
                pxe = bound[1];
                log.info("DHCPv6 on {}: clients there are told {}", link.nif().getName(),
                        AddressText.of(link.server()));
            }
            for (Inet6Address server : unicastOnly) {
                int[] bound = unicast(group, channelType, server, Optional.empty(), dhcpPort, pxe);
                dhcpPort = bound[0];
                pxe = bound[1];
            }
            return new Bound(dhcpPort, pxe);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The 547 and 4011 sockets on {@code server}, of a boot link's {@code iface} or for relayed clients only. */
    private int[] unicast(EventLoopGroup group, Class<? extends DatagramChannel> channelType, Inet6Address server,
            Optional<String> iface, int port, int pxePort) throws Exception {
        Channel dhcp = open(bootstrap(group, channelType, BootOnly6.Listener.DHCP, server, iface),
                new InetSocketAddress(server, port));
        Channel pxe = open(bootstrap(group, channelType, BootOnly6.Listener.PXE, server, iface),
                new InetSocketAddress(server, pxePort));
        return new int[] {((InetSocketAddress) dhcp.localAddress()).getPort(),
                ((InetSocketAddress) pxe.localAddress()).getPort()};
    }

    private Bootstrap bootstrap(EventLoopGroup group, Class<? extends DatagramChannel> type,
            BootOnly6.Listener listener, Inet6Address server, Optional<String> iface) {
        Bootstrap b = new Bootstrap().group(group).channel(type)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Handler(listener, server, iface));
                    }
                });
        if (EpollDatagramChannel.class.isAssignableFrom(type)) {
            b.option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        return b;
    }

    private Channel open(Bootstrap bootstrap, InetSocketAddress at) throws Exception {
        Channel channel = bootstrap.bind(at).sync().channel();
        channels.add(channel);
        return channel;
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final BootOnly6.Listener listener;
        private final Inet6Address server;
        /** The boot link's interface; empty on a socket for relayed clients only. */
        private final Optional<String> iface;

        Handler(BootOnly6.Listener listener, Inet6Address server, Optional<String> iface) {
            this.listener = listener;
            this.server = server;
            this.iface = iface;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            try {
                answer(ctx.channel(), packet, sender);
            } catch (RuntimeException e) {
                clientLines.error(sender.getAddress(), "failed", "DHCPv6 failed on a datagram from " + sender, e);
            }
        }

        private void answer(Channel channel, DatagramPacket packet, InetSocketAddress sender) {
            if (!(sender.getAddress() instanceof Inet6Address source)) {
                log.debug("DHCPv6 datagram from IPv4 {}: ignored", sender);
                return;
            }
            Dhcp6Message received;
            try {
                received = Dhcp6Codec.decode(packet.content());
            } catch (MalformedDhcp6Exception e) {
                log.debug("malformed DHCPv6 datagram from {}: {}", sender, e.getMessage());
                return;
            }
            decider.decide(received, source, server, listener, iface).whenComplete((d, failed) -> {
                if (failed != null) {
                    clientLines.error(source, "failed", "DHCPv6 " + received.type() + " from " + sender
                            + " not answered: its binding could not be stored", failed);
                } else {
                    act(channel, received, sender, source, d);
                }
            });
        }

        private void act(Channel channel, Dhcp6Message received, InetSocketAddress sender, Inet6Address source,
                         BootOnly6.Decision d) {
            if (d instanceof BootOnly6.Reply reply) {
                send(channel, reply.message(), sender, reply.mac().toString(), () -> answered(reply));
            } else if (d instanceof BootOnly6.Answered a) {
                a.problem().ifPresent(p -> clientLines.log(Level.WARN, source, "failed", "DHCPv6: " + p));
                send(channel, a.message(), sender, a.mac().map(Object::toString).orElse(source.getHostAddress()),
                        () -> answered(a));
            } else if (d instanceof BootOnly6.Unidentified u) {
                String duid = BootOnly6.hex(u.clientId());
                clientLines.log(Level.WARN, source, "unidentified", "DHCPv6 boot client " + duid + " from "
                        + AddressText.of(source) + " not answered: " + u.why());
                unidentified.saw(new UnidentifiedClient.Sighting(duid, u.duidType(), AddressText.of(
                        ClientMac.clientAddress(received, source)), iface.orElse("unicast"), Instant.now(), u.tried()));
            } else if (d instanceof BootOnly6.Failed f) {
                clientLines.log(Level.WARN, source, "failed", "DHCPv6: " + f.reason());
            } else {
                log.debug("DHCPv6 {} from {}: {}", received.type(), sender, ((BootOnly6.Silent) d).reason());
            }
        }

        private void send(Channel channel, Dhcp6Message message, InetSocketAddress sender, String client,
                          Runnable sent) {
            byte[] bytes = Dhcp6Codec.encode(message);
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), sender)).addListener(done -> {
                if (done.isSuccess()) {
                    sent.run();
                    if (!(message instanceof Dhcp6Message.Relay)) {
                        iface.ifPresent(bootClientOn);
                    }
                    if (listener == BootOnly6.Listener.PXE) {
                        for (long millis : PXE_REPLY_AGAIN_MILLIS) {
                            channel.eventLoop().schedule(() -> channel.writeAndFlush(new DatagramPacket(
                                    Unpooled.wrappedBuffer(bytes), sender)), millis, TimeUnit.MILLISECONDS);
                        }
                    }
                } else {
                    log.warn("could not send the DHCPv6 answer for {} to {}: {}", client, sender,
                            done.cause().toString());
                }
            });
        }
    }

    /** Server mode's answer without boot options: counted as firmware "none", no boot event. */
    private void answered(BootOnly6.Answered answered) {
        Dhcp6Message m = answered.message();
        while (m instanceof Dhcp6Message.Relay relay) {
            m = relay.relayed();
        }
        String type = m.type().name().toLowerCase(Locale.ROOT);
        log.debug("DHCPv6 {} {}: {}", type, answered.mac().map(Object::toString).orElse("-"), answered.what());
        registry.counter("bootferry_dhcp6_replies", "type", type, "firmware", "none").increment();
    }

    private void answered(BootOnly6.Reply reply) {
        unidentified.identified(BootOnly6.hex(reply.request().clientId()));
        Dhcp6Message m = reply.message();
        while (m instanceof Dhcp6Message.Relay relay) {
            m = relay.relayed();
        }
        String type = m.type().name().toLowerCase(Locale.ROOT);
        String firmware = reply.request().firmware().id() + (reply.request().ipxe() ? "+ipxe" : "");
        log.debug("DHCPv6 {} {} {} boot file {}", type, reply.mac(), firmware, Capability.hide(reply.bootFileUrl()));
        registry.counter("bootferry_dhcp6_replies", "type", type, "firmware", firmware).increment();
        events.record(BootEvent.now(reply.mac(), m.type() == Dhcp6MessageType.ADVERTISE ? BootEvent.Stage.DHCP_OFFER
                : BootEvent.Stage.PXE_ACK, firmware + " over DHCPv6 -> " + Capability.hide(reply.bootFileUrl())));
        if (!reply.request().ipxe()) {
            families.firmwareAnswered(reply.mac(), true);
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        channels.clear();
    }
}
