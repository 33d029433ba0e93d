package org.bootferry.dhcp;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.bootferry.machine.Addressing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other DHCP servers on the links server mode serves (issue 15 item 4: never two servers on one segment
 * by accident). Each pool's interface gets a socket on the client port (68) tied to it, which stays
 * open for the whole run: a server's answer to a client without an address is broadcast there (RFC
 * 2131 §4.1, with the broadcast bit every client here sets), so every OFFER and ACK on the link is
 * heard. At start a DISCOVER goes out of each interface from that socket, before server mode's own
 * sockets are bound, so any answer is another server's.
 *
 * <p>Only answers that hand out an address count: a ProxyDHCP server (bootferry's proxy mode, dnsmasq's
 * {@code dhcp-range=…,proxy}) answers PXE clients with yiaddr 0.0.0.0 and coexists by design. A server
 * that answers only the MACs it knows is not found by the probe, only by watching. Answers naming one
 * of our own addresses as server identifier (our own broadcast OFFERs, looped back) are ours.
 */
public final class OtherServers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OtherServers.class);
    private static final InetSocketAddress SERVERS = new InetSocketAddress(DhcpMessage.ipv4(new byte[] {-1, -1, -1, -1}),
            DhcpSettings.SERVER_PORT);
    /** A server heard again is logged again at most this often. */
    static final Duration LOG_EVERY = Duration.ofMinutes(10);
    /** RFC 2131 §2: the broadcast bit of flags. */
    private static final int BROADCAST_FLAG = 0x8000;

    private final MeterRegistry registry;
    private final Predicate<Inet4Address> ours;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final Map<Key, Heard> heard = new ConcurrentHashMap<>();
    /** Interfaces refused at start, and for which servers. */
    private final Map<String, List<Inet4Address>> refused = new ConcurrentHashMap<>();

    private record Key(String iface, Inet4Address server) {
    }

    private static final class Heard {
        long replies;
        long lastSeen;
        long lastLogged;
    }

    /**
     * @param registry where {@code bootferry_dhcp_other_server_replies_total{interface,server}} is counted
     * @param ours     whether an address is one of this host's: answers naming it are our own
     */
    public OtherServers(MeterRegistry registry, Predicate<Inet4Address> ours) {
        this.registry = registry;
        this.ours = ours;
    }

    /**
     * Opens the watching socket on each interface and sends a DISCOVER out of each, twice (a lost
     * datagram), then waits {@code window}: a server that pings an address before it first offers it
     * (dnsmasq's default, ISC dhcpd's) answers seconds later.
     *
     * @param clientPort the port servers answer clients on (68)
     * @return per interface, the servers that answered the probe, in the order heard; an interface
     *         whose socket could not be opened is left out, with a warning
     */
    public Map<String, List<Inet4Address>> probe(EventLoopGroup group, Class<? extends DatagramChannel> type,
                                                 List<String> interfaces, int clientPort, Duration window)
            throws InterruptedException {
        Map<String, Channel> opened = new LinkedHashMap<>();
        for (String iface : interfaces) {
            try {
                Channel c = DhcpSockets.openOnDevice(DhcpSockets.bootstrap(group, type, () -> new Listener(iface)), iface,
                        new InetSocketAddress(clientPort));
                channels.add(c);
                opened.put(iface, c);
            } catch (Exception e) {
                log.warn("cannot listen for other DHCP servers on {} (udp port {}): {}; it is served unprobed",
                        iface, clientPort, e.getMessage());
            }
        }
        if (!opened.isEmpty()) {
            log.info("listening {} s for other DHCP servers on {}", window.toSeconds(), String.join(", ", opened.keySet()));
        }
        long start = System.currentTimeMillis();
        SecureRandom random = new SecureRandom();
        Map<String, DhcpMessage> discovers = new LinkedHashMap<>();
        opened.keySet().forEach(iface -> discovers.put(iface, discover(random)));
        for (int round = 0; round < 2; round++) {
            // The same DISCOVER again, as a client retransmits (RFC 2131 §4.1): a server that is
            // still checking the address it will offer (a ping) does not start over for a new client.
            opened.forEach((iface, c) -> {
                ByteBuf bytes = c.alloc().buffer(DhcpCodec.MIN_ENCODED_LENGTH * 2);
                DhcpCodec.encode(discovers.get(iface), bytes);
                c.writeAndFlush(new DatagramPacket(bytes, SERVERS));
            });
            Thread.sleep(window.toMillis() / 2);
        }
        Map<String, List<Inet4Address>> found = new LinkedHashMap<>();
        for (String iface : opened.keySet()) {
            found.put(iface, heard.entrySet().stream().filter(e -> e.getKey().iface().equals(iface)
                    && e.getValue().lastSeen >= start).map(e -> e.getKey().server()).toList());
        }
        return found;
    }

    /** Marks an interface refused at start for the servers found there, for the status page. */
    public void refused(String iface, List<Inet4Address> servers) {
        refused.put(iface, List.copyOf(servers));
    }

    /** Every server heard, with its interface. */
    public List<Addressing.OtherServer> heard() {
        List<Addressing.OtherServer> list = new ArrayList<>();
        heard.forEach((k, h) -> {
            synchronized (h) {
                list.add(new Addressing.OtherServer(k.server(), k.iface(), h.replies, h.lastSeen,
                        refused.getOrDefault(k.iface(), List.of()).contains(k.server())));
            }
        });
        list.sort((a, b) -> a.iface().equals(b.iface()) ? a.server().getHostAddress().compareTo(b.server().getHostAddress())
                : a.iface().compareTo(b.iface()));
        return list;
    }

    /** A DISCOVER from a locally administered MAC of its own (RFC 7042 §2.1), asking for a broadcast answer. */
    private static DhcpMessage discover(SecureRandom random) {
        byte[] chaddr = new byte[16];
        random.nextBytes(chaddr);
        chaddr[0] = (byte) ((chaddr[0] & 0xfc) | 0x02);
        java.util.Arrays.fill(chaddr, 6, 16, (byte) 0);
        List<DhcpOption> options = List.of(
                new DhcpOption(DhcpOptionCode.MESSAGE_TYPE, new byte[] {(byte) DhcpMessageType.DISCOVER.code()}),
                new DhcpOption(DhcpOptionCode.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 6, 51, 54}));
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, random.nextInt(), 0, BROADCAST_FLAG,
                DhcpMessage.ZERO, DhcpMessage.ZERO, DhcpMessage.ZERO, DhcpMessage.ZERO, chaddr, "", "", options);
    }

    private final class Listener extends SimpleChannelInboundHandler<DatagramPacket> {
        private final String iface;

        Listener(String iface) {
            this.iface = iface;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            DhcpMessage m;
            try {
                m = DhcpCodec.decode(packet.content());
            } catch (MalformedDhcpException e) {
                return; // not DHCP: nothing said about a server
            }
            Optional<DhcpMessageType> type = m.messageType();
            boolean leasing = type.isPresent() && (type.get() == DhcpMessageType.OFFER || type.get() == DhcpMessageType.ACK)
                    && !m.yiaddr().equals(DhcpMessage.ZERO);
            if (m.op() != DhcpMessage.BOOTREPLY || !leasing) {
                return;
            }
            Inet4Address server = m.option(DhcpOptionCode.SERVER_IDENTIFIER).filter(o -> o.length() == 4)
                    .map(o -> DhcpMessage.ipv4(o.value()))
                    .orElse((Inet4Address) packet.sender().getAddress());
            if (!ours.test(server)) {
                heard(iface, server, type.get() + " of " + m.yiaddr().getHostAddress() + " to " + m.mac());
            }
        }
    }

    /** Counts the answer; logs it the first time, then at most every {@link #LOG_EVERY}. */
    private void heard(String iface, Inet4Address server, String answer) {
        Heard h = heard.computeIfAbsent(new Key(iface, server), k -> new Heard());
        long now = System.currentTimeMillis();
        boolean logIt;
        long replies;
        synchronized (h) {
            h.replies++;
            h.lastSeen = now;
            replies = h.replies;
            logIt = h.lastLogged == 0 || now - h.lastLogged >= LOG_EVERY.toMillis();
            if (logIt) {
                h.lastLogged = now;
            }
        }
        registry.counter("bootferry_dhcp_other_server_replies", "interface", iface, "server", server.getHostAddress())
                .increment();
        if (logIt) {
            log.warn("another DHCP server, {}, hands out addresses on {} ({}; {} answers heard so far): two servers on"
                    + " one link give clients conflicting addresses", server.getHostAddress(), iface, answer, replies);
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
