package org.bootferry.dhcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.bootferry.boot.Booter;
import org.bootferry.boot.Capability;
import org.bootferry.lang.QuietLog;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Machine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ProxyDHCP responder on UDP 67 and 4011: reads a datagram, decodes it, asks the planner, sends
 * the {@link ProxyDhcp} decision. Nothing escapes a handler: malformed datagrams and requests we don't
 * answer cost one debug line; those {@link AnswerGate} drops (a relay agent on no known network, a rate
 * limit) a count and one line per client and reason a minute.
 *
 * <p>Sockets, and why. The site's DHCP server (dnsmasq, ISC dhcpd) may run on the same host and
 * port, so every socket sets SO_REUSEADDR and SO_REUSEPORT, and bootferry takes care never to receive
 * unicast meant for that server:
 * <ul>
 *   <li>Client broadcasts arrive on a socket bound to 255.255.255.255:67. Linux hands a copy of each
 *       broadcast to every matching socket, so the DHCP server sees all of them too; unicast to this
 *       host's port 67 (lease renewals) never matches this socket. A wildcard socket would join the
 *       DHCP server's port and take a share of its unicast.</li>
 *   <li>Broadcast replies leave from a socket bound to the next-server address on port 67 and
 *       connected to 255.255.255.255:68. Linux routes a limited broadcast from a bound source address
 *       out of the interface that owns it (not along the default route), EDK2 accepts answers only
 *       from port 67, and a connected socket receives nothing but datagrams from its peer, which
 *       never come: so it can't take the DHCP server's unicast either.</li>
 *   <li>Relay agents (RFC 2131 §4.1) unicast to an address of ours: that needs a socket on it, so
 *       they are served when bootferry binds a specific address (the relays' helper address). With a
 *       wildcard bind, unicast answers (relay, client with ciaddr) leave from a one-shot connected
 *       socket.</li>
 *   <li>4011 is unicast to us: one socket on the bind address, replies go back through it.</li>
 * </ul>
 *
 * <p>Multi-homed hosts. A DISCOVER comes from 0.0.0.0 to 255.255.255.255 with no giaddr, so nothing
 * in the packet says which network it came from, yet the answer must name an address the client
 * reaches on its own link. The kernel knows the receiving interface (IP_PKTINFO), but Netty's epoll
 * transport doesn't hand out that control message and NIO can't ask for it; IP_RECVORIGDSTADDR only
 * says 255.255.255.255; guessing from routes (`ip route get`) can't work for a source of 0.0.0.0;
 * a packet socket would mean parsing Ethernet and IP ourselves and bypassing the coexistence rules
 * above. So with a wildcard bind each interface gets its own broadcast socket tied to it with
 * SO_BINDTODEVICE (socket(7)), set through Netty's {@link RawUnixChannelOption}, the generic
 * setsockopt of its epoll channels: no new dependency, no native code of ours. Linux delivers a
 * broadcast to every matching socket, and a socket tied to a device matches only packets that came
 * in on it, so each handler knows its interface and hands its address to the planner as
 * {@link Machine#server()}; replies already leave by the interface that owns their source address.
 * The capability: unprivileged since Linux 5.7 for a socket not yet tied, CAP_NET_RAW before.
 */
public final class ProxyDhcpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyDhcpServer.class);
    /**
     * Sockets on a specific bind address's port 67: SO_REUSEPORT spreads relay agents over them, and
     * each one's answers leave through the other (see {@link DhcpSide#replyChannel}).
     */
    private static final int UNICAST_SOCKETS = 2;
    private static final InetAddress LIMITED_BROADCAST = DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1});

    private final ProxyDhcp proxy;
    private final Discovery discovery;
    private final BootLog events;
    private final MeterRegistry registry;
    private final AnswerGate gate;
    /** What clients cause at will (a machine whose config can't be planned, asking again): a line per client a minute. */
    private final QuietLog clientLines = new QuietLog(log);
    private final int clientPort;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    /** Per next-server address: the connected socket broadcast replies leave from. */
    private final Map<InetAddress, ChannelFuture> broadcastReplies = new ConcurrentHashMap<>();
    /** Set once the DHCP port is bound. */
    private volatile DhcpSide dhcpSide;
    /** The reply counters, looked up once per kind: the registry's own lookup builds an id per call. */
    private final Map<ReplyKind, Counter> replyCounters = new ConcurrentHashMap<>();

    private record ReplyKind(DhcpMessageType type, String firmware) {
    }

    /**
     * @param bootstrap how to open reply sockets on the DHCP port
     * @param port      the DHCP port as bound
     * @param unicast   the sockets on the specific bind address, if any, one per event loop (two at
     *                  most): they take relayed requests and send every reply
     */
    private record DhcpSide(Bootstrap bootstrap, int port, List<Channel> unicast) {

        /**
         * The unicast socket to answer a request read on {@code in} through: one on another event
         * loop when there is one. A relay agent's requests are one flow, which SO_REUSEPORT hands to
         * one socket; answering through the other one puts the sends (and their loopback or NIC
         * work) on a second core, as the broadcast path's reply sockets do.
         */
        Channel replyChannel(Channel in) {
            for (Channel c : unicast) {
                if (c.eventLoop() != in.eventLoop()) {
                    return c;
                }
            }
            return unicast.get(0);
        }
    }

    /** Where this responder listens: the DHCP port (67) and the PXE port (4011). */
    public record Bound(InetSocketAddress dhcp, InetSocketAddress pxe) {
    }

    /** A responder with the {@link ProxyLimits#DEFAULTS}. */
    public ProxyDhcpServer(DhcpSettings settings, Booter planner, BootLog events,
            MeterRegistry registry, Discoveries discoveries) {
        this(settings, () -> ProxyLimits.DEFAULTS, planner, events, registry, discoveries);
    }

    /**
     * @param limits   the limits in force, asked for at every request (server.yaml's {@code proxyDhcp:})
     * @param events   told of every answer sent (an offer, a 4011 ack): the boot's first steps
     * @param registry where {@code bootferry_dhcp_replies_total{type,firmware}} and
     *                 {@code bootferry_dhcp_dropped_total{reason}} are counted
     * @param discoveries told of every boot attempt of a MAC no machine file names ({@link Discovery})
     */
    public ProxyDhcpServer(DhcpSettings settings, Supplier<ProxyLimits> limits, Booter planner, BootLog events,
            MeterRegistry registry, Discoveries discoveries) {
        this.proxy = new ProxyDhcp(planner, settings.clientPort(), settings.relayPort());
        this.discovery = new Discovery(planner, discoveries, Clock.systemUTC());
        this.gate = new AnswerGate(settings, limits, new ConnectedNetworks(System::nanoTime), registry,
                System::nanoTime);
        this.clientPort = settings.clientPort();
        this.events = events;
        this.registry = registry;
    }

    /**
     * Binds the DHCP port (67) and the PXE port (4011) on {@code address} (0.0.0.0 or one address of
     * this host); port 0 picks free ports.
     *
     * <p>On a specific address, clients are told that address. On the wildcard address (and with
     * epoll), every interface that is up and has an IPv4 address gets its own sockets, so each client
     * is answered with the address of the interface its broadcast came in on (see the class comment);
     * interfaces that appear later are served after a restart.
     *
     * @param channelType the group's datagram channel class (EpollDatagramChannel or NioDatagramChannel)
     * @param advertise   the address machines are told when it is one of the receiving interface's
     * @throws Exception  the bind failure (address in use, permission) with nothing left bound
     */
    public Bound bind(EventLoopGroup group, Class<? extends DatagramChannel> channelType, InetAddress address,
                      Optional<InetAddress> advertise, int dhcpPort, int pxePort) throws Exception {
        try {
            if (address.isAnyLocalAddress()) {
                if (EpollDatagramChannel.class.isAssignableFrom(channelType)) {
                    List<BootInterface> interfaces = BootInterface.list();
                    if (!interfaces.isEmpty()) {
                        return bindPerInterface(group, channelType, interfaces, advertise, address, dhcpPort, pxePort);
                    }
                    log.warn("no interface with an IPv4 address is up: ProxyDHCP listens on the wildcard address"
                            + " and answers with the advertised address");
                } else {
                    log.warn("without the epoll transport sockets can't be tied to an interface: every ProxyDHCP"
                            + " client is told the advertised address, whichever network it is on");
                }
            }
            return bindAddress(group, channelType, address, dhcpPort, pxePort);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private Bound bindAddress(EventLoopGroup group, Class<? extends DatagramChannel> channelType, InetAddress address,
                              int dhcpPort, int pxePort) throws Exception {
        Optional<InetAddress> server = address.isAnyLocalAddress() ? Optional.empty() : Optional.of(address);
        Bootstrap dhcp = bootstrap(group, channelType, ProxyDhcp.Listener.DHCP, server);
        Channel broadcast = open(dhcp.bind(LIMITED_BROADCAST, dhcpPort));
        int port = ((InetSocketAddress) broadcast.localAddress()).getPort();
        List<Channel> unicast = new ArrayList<>(UNICAST_SOCKETS);
        if (server.isPresent()) {
            // Bound one after the other, the bootstrap puts them on different loops of the group.
            for (int i = 0; i < UNICAST_SOCKETS; i++) {
                unicast.add(open(dhcp.bind(server.get(), port)));
            }
        }
        dhcpSide = new DhcpSide(dhcp, port, unicast);
        Bootstrap pxe = bootstrap(group, channelType, ProxyDhcp.Listener.PXE, server);
        Channel pxeChannel = open(pxe.bind(address, pxePort));
        return new Bound(new InetSocketAddress(address, port), (InetSocketAddress) pxeChannel.localAddress());
    }

    /**
     * Per interface: a broadcast socket on 255.255.255.255:67 tied to the device, whose handler knows
     * the interface's address, and a 4011 socket on that address (4011 is unicast to the next-server
     * we gave). Replies leave as in the single-address case, from the next-server address, which is
     * now the receiving interface's.
     */
    private Bound bindPerInterface(EventLoopGroup group, Class<? extends DatagramChannel> channelType,
                                   List<BootInterface> interfaces, Optional<InetAddress> advertise,
                                   InetAddress wildcard, int dhcpPort, int pxePort) throws Exception {
        int port = dhcpPort;
        int pxePortBound = pxePort;
        Bootstrap replies = null;
        for (BootInterface nif : interfaces) {
            Optional<InetAddress> server = Optional.of(nif.serverAddress(advertise));
            Bootstrap dhcp = bootstrap(group, channelType, ProxyDhcp.Listener.DHCP, server);
            Channel broadcast = openOnDevice(dhcp, nif.name(), new InetSocketAddress(LIMITED_BROADCAST, port));
            port = ((InetSocketAddress) broadcast.localAddress()).getPort();
            replies = replies == null ? dhcp : replies;
            Bootstrap pxe = bootstrap(group, channelType, ProxyDhcp.Listener.PXE, server);
            Channel pxeChannel = open(pxe.bind(server.get(), pxePortBound));
            pxePortBound = ((InetSocketAddress) pxeChannel.localAddress()).getPort();
            log.info("ProxyDHCP on {}: clients there are told {}", nif.name(), server.get().getHostAddress());
        }
        dhcpSide = new DhcpSide(replies, port, List.of());
        return new Bound(new InetSocketAddress(wildcard, port), new InetSocketAddress(wildcard, pxePortBound));
    }

    private Channel openOnDevice(Bootstrap bootstrap, String device, InetSocketAddress at) throws Exception {
        Channel channel = DhcpSockets.openOnDevice(bootstrap, device, at);
        channels.add(channel);
        return channel;
    }

    /**
     * Each channel gets a {@link Handler} of its own: the handler collects the replies of one read
     * batch to flush them together, state that belongs to one channel's event loop.
     */
    private Bootstrap bootstrap(EventLoopGroup group, Class<? extends DatagramChannel> type,
                                ProxyDhcp.Listener listener, Optional<InetAddress> server) {
        return DhcpSockets.bootstrap(group, type, () -> new Handler(listener, server));
    }

    private Channel open(ChannelFuture bound) throws Exception {
        bound.sync();
        channels.add(bound.channel());
        return bound.channel();
    }

    /**
     * Answers the datagrams of one channel. Replies written while a read batch is being handled are
     * flushed together when the batch ends, so that Netty sends them with one sendmmsg(2) and wakes
     * the clients' side (and the reply socket's event loop, when it is another) once per batch, not
     * once per answer. A reply written later (its reply socket was still being connected) leaves at once.
     */
    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final ProxyDhcp.Listener listener;
        private final Optional<InetAddress> server;
        /** Channels written to and not yet flushed in this read batch; only this channel's event loop touches it. */
        private final List<Channel> unflushed = new ArrayList<>(2);
        private Channel reading;

        Handler(ProxyDhcp.Listener listener, Optional<InetAddress> server) {
            this.listener = listener;
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            reading = ctx.channel();
            try {
                answer(ctx.channel(), packet, sender);
            } catch (RuntimeException e) {
                clientLines.error(sender.getAddress(), "failed", "ProxyDHCP failed on a datagram from " + sender, e);
            } finally {
                reading = null;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            for (Channel c : unflushed) {
                c.flush();
            }
            unflushed.clear();
            ctx.fireChannelReadComplete();
        }

        private void answer(Channel in, DatagramPacket packet, InetSocketAddress sender) {
            DhcpMessage message;
            try {
                message = DhcpCodec.decode(packet.content());
            } catch (MalformedDhcpException e) {
                log.debug("dropped a malformed DHCP datagram from {} on the {} port: {}", sender, listener, e.getMessage());
                return;
            }
            Detection detection = PxeRequest.detect(message);
            if (detection instanceof Detection.Ignored ignored) {
                log.debug("not answering {} from {}: {}", message.mac(), sender, ignored.reason());
                return;
            }
            PxeRequest request = (PxeRequest) detection;
            if (!gate.relayKnown(request, sender)) {
                return;
            }
            // Before the rate limits: discovery counts every attempt, and answers none.
            discovery.heard(request, server);
            if (!gate.withinRates(request)) {
                return;
            }
            ProxyDhcp.Decision decision = proxy.decide(request, listener, sender, server);
            if (decision instanceof ProxyDhcp.Silent silent) {
                log.debug("not answering {} {} ({}): {}", request.type(), request.mac(), request.arch(), silent.reason());
            } else if (decision instanceof ProxyDhcp.Failed failed) {
                // Unanswered, the firmware waits out its DHCP timeouts and moves on (or another boot
                // server answers): the event is where the admin sees why, e.g. a kernel it can't boot.
                clientLines.log(QuietLog.Level.WARN, request.mac(), "cannot answer", "cannot answer " + request.mac()
                        + " (" + request.firmware() + "): " + failed.reason());
                events.record(BootEvent.now(request.mac(), BootEvent.Stage.FAILED, "dhcp " + request.firmware().id()
                        + (request.ipxe() ? "+ipxe" : "") + ": " + failed.reason()));
            } else {
                send(in, (ProxyDhcp.Reply) decision, request);
            }
        }

        private void send(Channel in, ProxyDhcp.Reply reply, PxeRequest request) {
            DhcpSide dhcp = dhcpSide;
            InetSocketAddress to = reply.recipient();
            if (listener == ProxyDhcp.Listener.PXE) {
                write(in, reply, request, true);
            } else if (dhcp == null) {
                log.debug("not answering {}: still starting", request.mac());
            } else if (!dhcp.unicast().isEmpty()) {
                write(dhcp.replyChannel(in), reply, request, true);
            } else if (to.getAddress().equals(LIMITED_BROADCAST) && to.getPort() == clientPort) {
                InetAddress source = reply.plan().nextServer();
                ChannelFuture out = broadcastReplies.computeIfAbsent(source, s -> connect(dhcp, s, to, true));
                if (out.isSuccess()) {
                    // Connected long since: written from here, so it joins this read batch's flush
                    // (a listener would run on the reply socket's loop and send it alone).
                    write(out.channel(), reply, request, false);
                } else {
                    out.addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            write(f.channel(), reply, request, false);
                        } else {
                            broadcastReplies.remove(source, out);
                            cannotSendFrom(source, dhcp.port(), f.cause());
                        }
                    });
                }
            } else {
                connect(dhcp, reply.plan().nextServer(), to, false).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        write(f.channel(), reply, request, false).addListener(ChannelFutureListener.CLOSE);
                    } else {
                        cannotSendFrom(reply.plan().nextServer(), dhcp.port(), f.cause());
                    }
                });
            }
        }

        private ChannelFuture connect(DhcpSide dhcp, InetAddress source, InetSocketAddress to, boolean keep) {
            ChannelFuture connected = dhcp.bootstrap().connect(to, new InetSocketAddress(source, dhcp.port()));
            if (keep) {
                connected.addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        channels.add(f.channel());
                    }
                });
            }
            return connected;
        }

        private ChannelFuture write(Channel out, ProxyDhcp.Reply reply, PxeRequest request, boolean addressed) {
            ByteBuf bytes = out.alloc().buffer(DhcpCodec.MIN_ENCODED_LENGTH * 2);
            DhcpCodec.encode(reply.message(), bytes);
            Object datagram = addressed ? new DatagramPacket(bytes, reply.recipient()) : bytes;
            ChannelFuture written;
            if (reading != null && reading.eventLoop().inEventLoop()) {
                written = out.write(datagram);
                if (!unflushed.contains(out)) {
                    unflushed.add(out);
                }
            } else {
                written = out.writeAndFlush(datagram);
            }
            return written.addListener((ChannelFutureListener) sent -> {
                if (sent.isSuccess()) {
                    answered(reply, request);
                } else {
                    log.warn("could not send the answer for {} to {}: {}", request.mac(), reply.recipient(),
                            sent.cause().toString());
                }
            });
        }
    }

    /**
     * An answer is a boot event and a count; the per-answer log line is at debug, since at a boot
     * storm's rate it would cost more than the answer itself (see docs/benchmarks.md).
     */
    private void answered(ProxyDhcp.Reply reply, PxeRequest request) {
        DhcpMessageType type = reply.message().messageType().orElseThrow();
        String firmware = request.firmware().id() + (request.ipxe() ? "+ipxe" : "");
        log.debug("{} {} {} -> {} boot file {}", type, request.mac(), firmware, reply.recipient(),
                Capability.hide(reply.plan().bootFile()));
        replyCounters.computeIfAbsent(new ReplyKind(type, firmware), k -> registry.counter("bootferry_dhcp_replies",
                "type", type.name().toLowerCase(java.util.Locale.ROOT), "firmware", firmware)).increment();
        events.record(BootEvent.now(request.mac(), type == DhcpMessageType.OFFER ? BootEvent.Stage.DHCP_OFFER
                : BootEvent.Stage.PXE_ACK, firmware + " -> " + Capability.hide(reply.plan().bootFile())));
    }

    private static void cannotSendFrom(InetAddress source, int port, Throwable cause) {
        log.warn("cannot send ProxyDHCP replies from next-server {} port {}: {}. The next-server must be an"
                + " address of this host: check --advertise", source.getHostAddress(), port, cause.toString());
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        channels.clear();
        broadcastReplies.clear();
    }
}
