package org.bootferry.dhcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bootferry.boot.Booter;
import org.bootferry.boot.Capability;
import org.bootferry.lang.QuietLog;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Discoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server mode's listener on UDP 67: reads a datagram, decodes it with {@link DhcpCodec}, asks
 * {@link ServerDhcp}, probes a fresh address ({@link AddressProbe}), stores the leases
 * ({@link LeaseStore}) and only once they are durable sends the reply.
 *
 * <p>Sockets (see {@link ProxyDhcpServer} for the kernel behaviour they rely on): each pool's interface
 * gets a socket on 255.255.255.255:67 tied to it (SO_BINDTODEVICE), so a broadcast's pool is the
 * interface it came in on; every IPv4 address of the host gets a socket on address:67 for unicast:
 * renewals and relay agents. Every reply leaves from the unicast socket of the server identifier's
 * address, so a broadcast reply leaves by the interface that owns it.
 */
public final class DhcpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DhcpServer.class);
    /** A failure a client's datagram ran into, with its trace: once per client a minute. */
    private final QuietLog clientLines = new QuietLog(log);
    private static final Inet4Address LIMITED_BROADCAST = DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1});
    /** A fresh address found in use is quarantined and another one chosen, this many times at most. */
    private static final int PROBES_PER_REQUEST = 3;

    private final ServerDhcp server;
    private final List<AddressPool> pools;
    private final LeaseStore store;
    private final AddressProbe probe;
    private final BootLog events;
    private final MeterRegistry registry;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    /** The unicast socket of each of our addresses: replies leave from the server identifier's. */
    private final Map<Inet4Address, Channel> senders = new ConcurrentHashMap<>();
    private final Map<String, Counter> replyCounters = new ConcurrentHashMap<>();
    private final Discovery discovery;

    /**
     * @param store    where leases are kept; its records are what the server starts from
     * @param events   told of every offer that carries a boot answer: a boot's first step
     * @param registry where {@code bootferry_dhcp_replies_total{type,firmware}} is counted, as in proxy mode
     * @param discoveries told of every boot attempt of a MAC no machine file names, as in proxy mode ({@link Discovery})
     * @param families told of each firmware answered, asked before iPXE is given a script URL ({@link ServerDhcp})
     */
    public DhcpServer(DhcpSettings settings, List<AddressPool> pools, Hosts hosts, Booter planner, LeaseStore store,
                      AddressProbe probe, BootLog events, MeterRegistry registry, Discoveries discoveries,
                      BootFamilies families) {
        this.discovery = new Discovery(planner, discoveries, java.time.Clock.systemUTC());
        this.pools = List.copyOf(pools);
        this.server = new ServerDhcp(pools, hosts, planner, families, store.leases(), settings.clientPort(), settings.relayPort());
        this.store = store;
        this.probe = probe;
        this.events = events;
        this.registry = registry;
    }

    /**
     * Its leases, the reservations and what it would offer, for the API and the status page.
     *
     * @param others the other DHCP servers heard on its links
     */
    public Addressing addressing(OtherServers others) {
        return server.addressing(others::heard);
    }

    /**
     * Binds the sockets on {@code port} (67; 0 picks a free one, for tests).
     *
     * @throws Exception naming the pool whose interface is missing, or the bind failure; nothing stays bound
     */
    public int bind(EventLoopGroup group, Class<? extends DatagramChannel> type, int port) throws Exception {
        try {
            if (!EpollDatagramChannel.class.isAssignableFrom(type)) {
                throw new IOException("DHCP server mode needs the epoll transport (Linux) to tie sockets to interfaces");
            }
            List<BootInterface> interfaces = BootInterface.list();
            int bound = port;
            for (BootInterface nif : interfaces) {
                for (Inet4Address address : nif.addresses()) {
                    Channel unicast = open(DhcpSockets.bootstrap(group, type, () -> new Handler(Optional.empty(), address))
                            .bind(address, bound));
                    bound = ((InetSocketAddress) unicast.localAddress()).getPort();
                    senders.put(address, unicast);
                }
            }
            for (AddressPool pool : pools) {
                if (pool.iface().isEmpty()) {
                    continue;
                }
                String name = pool.iface().get();
                BootInterface nif = interfaces.stream().filter(i -> i.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IOException("the DHCP pool on interface " + name + ": " + name
                                + " is not up with an IPv4 address"));
                Inet4Address local = nif.addresses().stream().filter(pool.network()::contains).findFirst()
                        .orElseThrow(() -> new IOException("the DHCP pool on interface " + name + ": none of its"
                                + " addresses " + nif.addresses() + " is in the pool's network " + pool.network()));
                Bootstrap b = DhcpSockets.bootstrap(group, type, () -> new Handler(Optional.of(pool), local));
                channels.add(DhcpSockets.openOnDevice(b, name, new InetSocketAddress(LIMITED_BROADCAST, bound)));
                log.info("DHCP server on {}: {} to {} from {}, server identifier {}", name, pool.network(),
                        pool.first().getHostAddress(), pool.last().getHostAddress(), local.getHostAddress());
            }
            return bound;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private Channel open(io.netty.channel.ChannelFuture bound) throws InterruptedException {
        bound.sync();
        channels.add(bound.channel());
        return bound.channel();
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final ServerDhcp.Arrival arrival;

        Handler(Optional<AddressPool> pool, Inet4Address local) {
            this.arrival = new ServerDhcp.Arrival(pool, local);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            try {
                DhcpMessage message = DhcpCodec.decode(packet.content());
                if (PxeRequest.detect(message) instanceof PxeRequest request) {
                    discovery.heard(request, Optional.of(arrival.local()));
                }
                answer(message, arrival, PROBES_PER_REQUEST);
            } catch (MalformedDhcpException e) {
                log.debug("dropped a malformed DHCP datagram from {}: {}", packet.sender(), e.getMessage());
            } catch (RuntimeException e) {
                clientLines.error(packet.sender().getAddress(), "failed", "DHCP server failed on a datagram from "
                        + packet.sender(), e);
            }
        }
    }

    private void answer(DhcpMessage message, ServerDhcp.Arrival arrival, int probesLeft) {
        ServerDhcp.Decision decision = server.decide(message, arrival, System.currentTimeMillis());
        server.takeProblems().forEach(p -> log.warn("a lease without a boot answer for {}", p));
        if (decision instanceof ServerDhcp.Silent silent) {
            log.debug("not answering {}: {}", message.mac(), silent.reason());
        } else if (decision instanceof ServerDhcp.Store stored) {
            store(stored.leases()).whenComplete((ok, failed) -> {
                if (failed == null) {
                    log.info("{}", stored.what());
                }
            });
        } else {
            ServerDhcp.Reply reply = (ServerDhcp.Reply) decision;
            if (reply.probe().isPresent() && probesLeft > 0) {
                Inet4Address address = reply.probe().get();
                probe.inUse(address, message.mac()).whenComplete((inUse, failed) -> {
                    if (Boolean.TRUE.equals(inUse)) {
                        log.warn("{} answers on the link but has no lease here: quarantined for {}, not offered to {}",
                                address.getHostAddress(), ServerDhcp.QUARANTINE, message.mac());
                        Lease quarantined = server.conflict(address, System.currentTimeMillis());
                        store(List.of(quarantined)).thenRun(() -> answer(message, arrival, probesLeft - 1));
                    } else {
                        send(reply, arrival);
                    }
                });
            } else {
                store(reply.leases()).whenComplete((ok, failed) -> {
                    if (failed == null) {
                        send(reply, arrival);
                    }
                });
            }
        }
    }

    /** Stores the records; a failure is logged here, and whatever waited on them is not sent. */
    private CompletableFuture<Void> store(List<Lease> leases) {
        CompletableFuture<?>[] writes = leases.stream().map(store::put).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(writes).whenComplete((ok, failed) -> {
            if (failed != null) {
                log.error("a lease could not be stored, so no ACK was sent: {}", failed.toString());
            }
        });
    }

    private void send(ServerDhcp.Reply reply, ServerDhcp.Arrival arrival) {
        Channel out = senders.get(arrival.local());
        if (out == null) {
            log.warn("no socket on {} to answer from", arrival.local().getHostAddress());
            return;
        }
        ByteBuf bytes = out.alloc().buffer(DhcpCodec.MIN_ENCODED_LENGTH * 2);
        DhcpCodec.encode(reply.message(), bytes);
        out.writeAndFlush(new DatagramPacket(bytes, reply.recipient())).addListener(sent -> {
            if (sent.isSuccess()) {
                answered(reply);
            } else {
                log.warn("could not send the answer for {} to {}: {}", reply.message().mac(), reply.recipient(),
                        sent.cause().toString());
            }
        });
    }

    private void answered(ServerDhcp.Reply reply) {
        DhcpMessage m = reply.message();
        DhcpMessageType type = m.messageType().orElseThrow();
        String firmware = reply.booting().map(b -> b.request().firmware().id() + (b.request().ipxe() ? "+ipxe" : ""))
                .orElse("none");
        log.debug("{} {} {} -> {}{}", type, m.mac(), m.yiaddr().getHostAddress(), reply.recipient(),
                reply.why().isEmpty() ? "" : ": " + reply.why());
        replyCounters.computeIfAbsent(type + "/" + firmware, k -> registry.counter("bootferry_dhcp_replies",
                "type", type.name().toLowerCase(Locale.ROOT), "firmware", firmware)).increment();
        if (type == DhcpMessageType.OFFER) {
            reply.booting().ifPresent(b -> events.record(BootEvent.now(m.mac(), BootEvent.Stage.DHCP_OFFER,
                    firmware + " -> " + Capability.hide(b.plan().bootFile()) + " at " + m.yiaddr().getHostAddress())));
        }
    }

    @Override
    public void close() {
        List<Channel> open = new ArrayList<>(channels);
        channels.clear();
        senders.clear();
        for (Channel c : open) {
            c.close().syncUninterruptibly();
        }
    }
}
