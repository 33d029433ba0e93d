package org.bootferry.dhcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Machine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ProxyDHCP responder on UDP 67 and 4011: reads a datagram, decodes it, asks the planner, sends
 * the {@link ProxyDhcp} decision. Nothing escapes a handler: malformed datagrams and requests we don't
 * answer cost one debug line.
 *
 * <p>Sockets, and why. Port 67 is shared with the site's DHCP server when it runs on the same host
 * (dnsmasq, ISC dhcpd), so every socket sets SO_REUSEADDR and, with epoll, SO_REUSEPORT:
 * <ul>
 *   <li>Client broadcasts are received on a socket bound to 255.255.255.255:67. The kernel gives a copy
 *       of each broadcast to every matching socket, so the DHCP server still sees all of them, and
 *       unicast to this host's port 67 (lease renewals, relayed traffic for the DHCP server) never lands
 *       here: a wildcard socket in the same port would take a share of it away from that server.</li>
 *   <li>Replies leave from a socket bound to the next-server address on port 67. Linux routes a limited
 *       broadcast (255.255.255.255) from a bound source address out of the interface that owns it, so
 *       the offer goes out on the boot network, not along the default route. With a specific bind
 *       address that socket exists from the start and also takes unicast to it (relay agents); with a
 *       wildcard bind it is opened the first time a plan names that next-server.</li>
 *   <li>4011 is unicast to us: one socket on the bind address, replies go back through it.</li>
 * </ul>
 */
public final class ProxyDhcpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyDhcpServer.class);
    private static final InetAddress LIMITED_BROADCAST = DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1});

    private final ProxyDhcp proxy;
    private final MacRateLimiter limiter;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final Map<InetAddress, ChannelFuture> replyChannels = new ConcurrentHashMap<>();
    /** How to open more reply sockets on the DHCP port; set once that port is bound. */
    private volatile DhcpSide dhcpSide;

    private record DhcpSide(Bootstrap bootstrap, int port) {
    }

    /** Where this responder listens: the port 67 stands for (broadcast and reply sockets) and 4011. */
    public record Bound(InetSocketAddress dhcp, InetSocketAddress pxe) {
    }

    public ProxyDhcpServer(DhcpSettings settings, BootPlanner planner) {
        this(settings, planner::plan);
    }

    /** With any planner function; empty = unknown machine, not answered. */
    public ProxyDhcpServer(DhcpSettings settings, Function<Machine, Optional<BootPlan>> planner) {
        this.proxy = new ProxyDhcp(planner, settings.clientPort(), settings.relayPort());
        this.limiter = new MacRateLimiter(settings.answersPerMac(), settings.answersPerSecond(), System::nanoTime);
    }

    /**
     * Binds the DHCP port (67) and the PXE port (4011) on {@code address}; port 0 picks free ports.
     *
     * @param channelType the group's datagram channel class (EpollDatagramChannel or NioDatagramChannel)
     * @throws Exception  the bind failure (address in use, permission) with nothing left bound
     */
    public Bound bind(EventLoopGroup group, Class<? extends DatagramChannel> channelType, InetAddress address,
                      int dhcpPort, int pxePort) throws Exception {
        Optional<InetAddress> server = address.isAnyLocalAddress() ? Optional.empty() : Optional.of(address);
        try {
            Bootstrap dhcp = bootstrap(group, channelType, new Handler(ProxyDhcp.Listener.DHCP, server));
            Channel broadcast = open(dhcp.bind(LIMITED_BROADCAST, dhcpPort));
            int port = ((InetSocketAddress) broadcast.localAddress()).getPort();
            dhcpSide = new DhcpSide(dhcp, port);
            if (server.isPresent()) {
                ChannelFuture unicast = dhcp.bind(server.get(), port);
                open(unicast);
                replyChannels.put(server.get(), unicast);
            }
            Bootstrap pxe = bootstrap(group, channelType, new Handler(ProxyDhcp.Listener.PXE, server));
            Channel pxeChannel = open(pxe.bind(address, pxePort));
            return new Bound(new InetSocketAddress(address, port), (InetSocketAddress) pxeChannel.localAddress());
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private static Bootstrap bootstrap(EventLoopGroup group, Class<? extends DatagramChannel> type, Handler handler) {
        Bootstrap b = new Bootstrap().group(group).channel(type)
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(handler);
        if (EpollDatagramChannel.class.isAssignableFrom(type)) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        return b;
    }

    private Channel open(ChannelFuture bound) throws Exception {
        bound.sync();
        channels.add(bound.channel());
        return bound.channel();
    }

    @ChannelHandler.Sharable
    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final ProxyDhcp.Listener listener;
        private final Optional<InetAddress> server;

        Handler(ProxyDhcp.Listener listener, Optional<InetAddress> server) {
            this.listener = listener;
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            try {
                answer(ctx.channel(), packet, sender);
            } catch (RuntimeException e) {
                log.warn("ProxyDHCP failed on a datagram from {}: {}", sender, e.toString(), e);
            }
        }

        private void answer(Channel in, DatagramPacket packet, InetSocketAddress sender) {
            DhcpMessage message;
            try {
                message = DhcpCodec.decode(packet.content());
            } catch (MalformedDhcpException e) {
                log.debug("dropped a malformed DHCP datagram from {} on {}: {}", sender, listener, e.getMessage());
                return;
            }
            Detection detection = PxeRequest.detect(message);
            if (detection instanceof Detection.Ignored ignored) {
                log.debug("not answering {} from {}: {}", message.mac(), sender, ignored.reason());
                return;
            }
            PxeRequest request = (PxeRequest) detection;
            if (!limiter.tryAcquire(request.mac())) {
                log.debug("not answering {}: more requests than the per-MAC rate limit allows", request.mac());
                return;
            }
            ProxyDhcp.Decision decision = proxy.decide(request, listener, sender, server);
            if (decision instanceof ProxyDhcp.Silent silent) {
                log.debug("not answering {} {} ({}): {}", request.type(), request.mac(), request.arch(), silent.reason());
            } else if (decision instanceof ProxyDhcp.Failed failed) {
                log.warn("cannot answer {} ({}): {}", request.mac(), request.firmware(), failed.reason());
            } else {
                send(in, (ProxyDhcp.Reply) decision, request);
            }
        }

        private void send(Channel in, ProxyDhcp.Reply reply, PxeRequest request) {
            if (listener == ProxyDhcp.Listener.DHCP && dhcpSide == null) {
                log.debug("not answering {}: still starting", request.mac());
                return;
            }
            ChannelFuture out = listener == ProxyDhcp.Listener.PXE ? in.newSucceededFuture()
                    : replyChannels.computeIfAbsent(reply.plan().nextServer(), this::openReplyChannel);
            out.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    log.debug("no socket on {} to answer {} from", reply.plan().nextServer(), request.mac());
                    return;
                }
                ByteBuf bytes = f.channel().alloc().buffer(DhcpCodec.MIN_ENCODED_LENGTH * 2);
                DhcpCodec.encode(reply.message(), bytes);
                f.channel().writeAndFlush(new DatagramPacket(bytes, reply.recipient())).addListener(sent -> {
                    if (sent.isSuccess()) {
                        log.info("{} {} {}{} -> {} boot file {}", reply.message().messageType().orElseThrow(),
                                request.mac(), request.firmware(), request.ipxe() ? " (iPXE)" : "",
                                reply.recipient(), reply.plan().bootFile());
                    } else {
                        log.warn("could not send the answer for {} to {}: {}", request.mac(), reply.recipient(),
                                sent.cause().toString());
                    }
                });
            });
        }

        private ChannelFuture openReplyChannel(InetAddress source) {
            DhcpSide dhcp = dhcpSide;
            ChannelFuture bound = dhcp.bootstrap().bind(source, dhcp.port());
            bound.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    channels.add(f.channel());
                } else {
                    log.warn("cannot send ProxyDHCP replies from next-server {} (port {}): {}. The next-server must be"
                            + " an address of this host; set --advertise or --bind", source.getHostAddress(),
                            dhcp.port(), f.cause().toString());
                }
            });
            return bound;
        }
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        channels.clear();
        replyChannels.clear();
    }
}
