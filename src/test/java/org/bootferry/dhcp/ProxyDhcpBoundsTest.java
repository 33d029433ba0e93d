package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The responder's bounds over UDP on loopback: relayed DISCOVERs (EDK2's, captured, with giaddr set as a
 * relay agent sets it) are answered at the relay when it is on a network of this host or a configured
 * one and dropped otherwise; all clients together get no more answers than the limit in force.
 */
class ProxyDhcpBoundsTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int DHCP_PORT = 16967;
    private static final int PXE_PORT = 16911;
    private static final int CLIENT_PORT = 16968;
    private static final int RELAY_PORT = 16969;
    /** Per MAC far more than any test sends: only the limits under test apply. */
    private static final int PER_MAC = 10_000;

    @TempDir
    Path config;
    private EventLoopGroup group;
    private ProxyDhcpServer server;
    private DatagramSocket relay;
    private final AtomicReference<ProxyLimits> limits = new AtomicReference<>(ProxyLimits.DEFAULTS);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        server = new ProxyDhcpServer(new DhcpSettings(CLIENT_PORT, RELAY_PORT, PER_MAC, PER_MAC), limits::get,
                BootConfig.planner(config, "127.0.0.1", VM), e -> { }, registry, Discoveries.NONE);
        server.bind(group, epoll ? EpollDatagramChannel.class : NioDatagramChannel.class, LOOPBACK, Optional.empty(),
                DHCP_PORT, PXE_PORT);
        // The relay agent: sends on its own behalf and takes the answers on the relay port (RFC 2131 §4.1).
        relay = new DatagramSocket(new InetSocketAddress(LOOPBACK, RELAY_PORT));
        relay.setReceiveBufferSize(1 << 20);
        relay.setSoTimeout(5000);
    }

    @AfterEach
    void stop() {
        relay.close();
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aRelayOnAConnectedNetworkIsAnsweredAtTheRelay() throws Exception {
        send(relayed("127.0.0.1", 1));

        DhcpMessage offer = receive();
        assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
        assertThat(offer.giaddr().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(dropped("relay")).isZero();
    }

    @Test
    void aRelayOnNoKnownNetworkIsDroppedAndCountedUntilItsSubnetIsConfigured() throws Exception {
        send(relayed("203.0.113.1", 1));
        send(relayed("127.0.0.1", 2));

        assertThat(receive().xid()).as("the forged relay's DISCOVER got nothing, the next one its answer").isEqualTo(2);
        assertThat(dropped("relay")).isEqualTo(1);

        limits.set(new ProxyLimits(5000, List.of(Ipv4.Network.parse("203.0.113.0/24").orElseThrow())));
        Logger serverLog = (Logger) LoggerFactory.getLogger(ProxyDhcpServer.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        serverLog.addAppender(logged);
        try {
            send(relayed("203.0.113.1", 3));
            // Answered: towards 203.0.113.1, which a socket on 127.0.0.1 can't reach, and says so.
            await(() -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith(
                    "could not send the answer for 52:54:00:12:34:56 to /203.0.113.1:" + RELAY_PORT)));
        } finally {
            serverLog.detachAppender(logged);
        }
        assertThat(dropped("relay")).isEqualTo(1);
    }

    /**
     * 40 DISCOVERs sent at once against 2 answers a second: what is answered and what is dropped add
     * up to 40, and no more are answered than the burst and the refill over the time taken allow.
     */
    @Test
    void allClientsTogetherAreAnsweredNoMoreOftenThanTheLimitInForce() throws Exception {
        limits.set(new ProxyLimits(2, List.of()));
        long started = System.nanoTime();
        for (int xid = 1; xid <= 40; xid++) {
            send(relayed("127.0.0.1", xid));
        }
        await(() -> answered() + dropped("total") >= 40);
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(answered() + dropped("total")).isEqualTo(40);
        assertThat(answered()).isGreaterThanOrEqualTo(2).isLessThanOrEqualTo(2 + 2 * seconds);
        for (int i = 0; i < (int) answered(); i++) {
            assertThat(receive().messageType()).contains(DhcpMessageType.OFFER);
        }
    }

    private double answered() {
        return registry.counter("bootferry_dhcp_replies", "type", "offer", "firmware", "efi-x64").count();
    }

    private double dropped(String reason) {
        return registry.counter("bootferry_dhcp_dropped", "reason", reason).count();
    }

    /** EDK2's DISCOVER as a relay agent forwards it: giaddr set, hops 1 (RFC 1542 §4.1.1), its own xid. */
    private static byte[] relayed(String giaddr, int xid) {
        DhcpMessage d = Captures.message(Captures.EDK2_X64_DISCOVER);
        return DhcpCodec.encode(new DhcpMessage(d.op(), d.htype(), d.hlen(), 1, xid, d.secs(), d.flags(), d.ciaddr(),
                d.yiaddr(), d.siaddr(), Ipv4.parse(giaddr).orElseThrow(), d.chaddr(), d.sname(), d.file(), d.options()));
    }

    private void send(byte[] bytes) throws IOException {
        relay.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, DHCP_PORT));
    }

    private DhcpMessage receive() throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
        try {
            relay.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer at the relay within 5 s", e);
        }
        return DhcpCodec.decode(Arrays.copyOf(p.getData(), p.getLength()));
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as("within 5 s").isTrue();
    }
}
