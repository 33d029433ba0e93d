package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import org.bootferry.config.MacAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bootferry.boot.BootEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real DISCOVERs and REQUESTs over UDP on loopback to a running responder; the answers decoded. */
class ProxyDhcpServerTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int DHCP_PORT = 16867;
    private static final int PXE_PORT = 16811;
    private static final int CLIENT_PORT = 16868;

    @TempDir
    Path config;
    private EventLoopGroup group;
    private ProxyDhcpServer server;
    private DatagramSocket client;
    private final List<BootEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> channel = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        server = new ProxyDhcpServer(DhcpSettings.defaults().withClientPort(CLIENT_PORT, DHCP_PORT),
                BootConfig.planner(config, "127.0.0.1", VM), events::add, registry);
        ProxyDhcpServer.Bound bound = server.bind(group, channel, LOOPBACK, java.util.Optional.empty(), DHCP_PORT, PXE_PORT);
        assertThat(bound.dhcp().getPort()).isEqualTo(DHCP_PORT);
        assertThat(bound.pxe().getPort()).isEqualTo(PXE_PORT);
        // Where a client without an address listens: every address, the client port, so the
        // limited broadcast the responder sends (out of lo, since it comes from 127.0.0.1) arrives.
        client = new DatagramSocket(null);
        client.setReuseAddress(true);
        client.setBroadcast(true);
        client.setSoTimeout(5000);
        client.bind(new InetSocketAddress(CLIENT_PORT));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void edk2DiscoverOverUdpGetsTheOfferBroadcastToThePortClientsListenOn() throws Exception {
        byte[] discover = Captures.bytes(Captures.EDK2_X64_DISCOVER);

        client.send(new DatagramPacket(discover, discover.length, LOOPBACK, DHCP_PORT));
        DatagramPacket answer = receive(client);

        DhcpMessage offer = DhcpCodec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
        assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
        assertThat(offer.mac()).isEqualTo(VM);
        assertThat(offer.xid()).isEqualTo(DhcpCodec.decode(discover).xid());
        assertThat(offer.file()).isEqualTo("ipxe.efi");
        assertThat(offer.siaddr()).isEqualTo(LOOPBACK);
        assertThat(answer.getPort()).isEqualTo(DHCP_PORT);
        assertThat(answer.getAddress()).isEqualTo(LOOPBACK);
        awaitEvent(BootEvent.Stage.DHCP_OFFER);
        assertThat(registry.counter("bootferry_dhcp_replies", "type", "offer", "firmware", "efi-x64").count()).isEqualTo(1);
    }

    /**
     * arm64 at packet level: AAVMF's EDK2 DISCOVER (captured, option 93 = 11) gets snp.efi with option
     * 43 "use this boot file", so it goes on to TFTP without a 4011 exchange. A QEMU arm64 boot needs
     * GRUB with a per-MAC grub.cfg over TFTP (Debian has no arm64 iPXE), which bootferry doesn't
     * generate yet.
     */
    @Test
    void arm64Edk2DiscoverOverUdpGetsSnpEfi() throws Exception {
        byte[] discover = Captures.bytes(Captures.EDK2_ARM64_DISCOVER);

        client.send(new DatagramPacket(discover, discover.length, LOOPBACK, DHCP_PORT));
        DatagramPacket answer = receive(client);

        DhcpMessage offer = DhcpCodec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
        assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
        assertThat(offer.mac()).isEqualTo(DhcpCodec.decode(discover).mac());
        assertThat(offer.file()).isEqualTo("snp.efi");
        assertThat(offer.siaddr()).isEqualTo(LOOPBACK);
        assertThat(offer.option(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER).orElseThrow().text()).isEqualTo("PXEClient");
        assertThat(offer.option(DhcpOptionCode.VENDOR_SPECIFIC)).isPresent();
        awaitEvent(BootEvent.Stage.DHCP_OFFER);
        assertThat(registry.counter("bootferry_dhcp_replies", "type", "offer", "firmware", "efi-arm64").count()).isEqualTo(1);
    }

    /** The event is recorded when the send completes, a moment after the client may have the answer. */
    private void awaitEvent(BootEvent.Stage stage) throws InterruptedException {
        for (int i = 0; i < 100 && events.stream().noneMatch(e -> e.stage() == stage); i++) {
            Thread.sleep(20);
        }
        assertThat(events).filteredOn(e -> e.stage() == stage).singleElement()
                .satisfies(e -> assertThat(e.mac()).isEqualTo(VM));
    }

    @Test
    void port4011RequestIsAnsweredAtItsSourcePort() throws Exception {
        byte[] request = Captures.bytes(Captures.EDK2_X64_REQUEST_4011);
        try (DatagramSocket edk2 = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            edk2.setSoTimeout(5000);

            edk2.send(new DatagramPacket(request, request.length, LOOPBACK, PXE_PORT));
            DatagramPacket answer = receive(edk2);

            DhcpMessage ack = DhcpCodec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
            assertThat(ack.messageType()).contains(DhcpMessageType.ACK);
            assertThat(ack.file()).isEqualTo("ipxe.efi");
            assertThat(answer.getPort()).isEqualTo(PXE_PORT);
            awaitEvent(BootEvent.Stage.PXE_ACK);
        }
    }

    @Test
    void malformedAndUnknownDatagramsGetNoAnswerAndTheServerKeepsAnswering() throws Exception {
        byte[] truncated = Arrays.copyOf(Captures.bytes(Captures.EDK2_X64_DISCOVER), 100);
        byte[] stranger = Captures.bytes(Captures.EDK2_X64_DISCOVER);
        stranger[28 + 5] = 0x77;
        byte[] discover = Captures.bytes(Captures.SEABIOS_IPXE_DISCOVER);

        client.send(new DatagramPacket(truncated, truncated.length, LOOPBACK, DHCP_PORT));
        client.send(new DatagramPacket(stranger, stranger.length, LOOPBACK, DHCP_PORT));
        client.send(new DatagramPacket(discover, discover.length, LOOPBACK, DHCP_PORT));
        DatagramPacket answer = receive(client);

        // The first answer to arrive is the one for the known iPXE client: the others got none.
        DhcpMessage offer = DhcpCodec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
        assertThat(offer.mac()).isEqualTo(VM);
        assertThat(offer.file()).isEqualTo("http://127.0.0.1:8080/boot.ipxe?mac=52:54:00:12:34:56");
    }

    /**
     * A rack powering on: a burst of DISCOVERs, read a batch at a time (recvmmsg) and answered a batch
     * at a time (one flush per read batch), each answered exactly once. Its own responder, so that one
     * MAC may ask this often, with two event loops as in the server. 48 DISCOVERs are three read
     * batches and, with their broadcast answers, fit Linux's default socket receive buffers
     * (net.core.rmem_default, 208 KiB) on both sides even while the JVM is cold; 100 sent at once
     * sometimes did not on a loaded machine, and 200 overflow the server's buffer every time.
     */
    @Test
    void burstOfDiscoversIsAnsweredOncePerXid() throws Exception {
        int burst = 48;
        int dhcpPort = DHCP_PORT + 10;
        int clientPort = CLIENT_PORT + 10;
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        SimpleMeterRegistry counted = new SimpleMeterRegistry();
        try (ProxyDhcpServer rack = new ProxyDhcpServer(new DhcpSettings(clientPort, dhcpPort, burst, burst),
                     BootConfig.planner(config, "127.0.0.1", VM), e -> { }, counted);
             DatagramSocket machines = new DatagramSocket(null)) {
            rack.bind(loops, epoll ? EpollDatagramChannel.class : NioDatagramChannel.class, LOOPBACK,
                    java.util.Optional.empty(), dhcpPort, PXE_PORT + 10);
            machines.setReuseAddress(true);
            machines.setBroadcast(true);
            machines.setReceiveBufferSize(1 << 20);
            machines.setSoTimeout(5000);
            machines.bind(new InetSocketAddress(clientPort));
            byte[] discover = Captures.bytes(Captures.EDK2_X64_DISCOVER);

            for (int xid = 1; xid <= burst; xid++) {
                discover[7] = (byte) xid;
                discover[6] = (byte) (xid >>> 8);
                machines.send(new DatagramPacket(discover, discover.length, LOOPBACK, dhcpPort));
            }
            java.util.Set<Integer> answered = new java.util.TreeSet<>();
            while (answered.size() < burst) {
                DatagramPacket answer = receive(machines);
                DhcpMessage offer = DhcpCodec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
                assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
                answered.add(offer.xid() & 0xFFFF);
            }

            assertThat(answered).hasSize(burst).first().isEqualTo(1);
            assertThat(answered).last().isEqualTo(burst);
            for (int i = 0; i < 100 && counted.counter("bootferry_dhcp_replies", "type", "offer", "firmware", "efi-x64").count() < burst; i++) {
                Thread.sleep(20);
            }
            assertThat(counted.counter("bootferry_dhcp_replies", "type", "offer", "firmware", "efi-x64").count()).isEqualTo(burst);
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 5 s", e);
        }
        return p;
    }
}
