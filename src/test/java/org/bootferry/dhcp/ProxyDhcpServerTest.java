package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.bootferry.journal.DiscoveredMachines;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
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
    @TempDir
    Path state;
    private DiscoveredMachines discovered;
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
        discovered = new DiscoveredMachines(state, 16, registry);
        server = new ProxyDhcpServer(DhcpSettings.defaults().withClientPort(CLIENT_PORT, DHCP_PORT),
                BootConfig.planner(config, "127.0.0.1", VM), events::add, registry, discovered);
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
    void stop() throws IOException {
        client.close();
        server.close();
        discovered.close();
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
     * 43 "use this boot file", so it goes on to TFTP without a 4011 exchange. The whole arm64 boot,
     * with GRUB as the loader (Debian has no arm64 iPXE), is Arm64BootEndToEndTest's.
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

    /**
     * A machine whose kernel its firmware can't boot (here the 64-byte ELF64 header a vmlinux starts
     * with) is not answered; the failed event says why, where the admin looks.
     */
    @Test
    void aKernelTheFirmwareCantBootGetsNoOfferAndAFailedEventSayingWhy() throws Exception {
        byte[] elf = new byte[64];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0, elf, 0, 7);
        elf[0x12] = 62; // EM_X86_64
        Files.write(config.resolve("vmlinuz"), elf);
        byte[] discover = Captures.bytes(Captures.EDK2_X64_DISCOVER);

        client.send(new DatagramPacket(discover, discover.length, LOOPBACK, DHCP_PORT));
        awaitEvent(BootEvent.Stage.FAILED);

        assertThat(events).filteredOn(e -> e.stage() == BootEvent.Stage.FAILED).singleElement().extracting(BootEvent::detail)
                .asString().startsWith("dhcp efi-x64: ").contains("vmlinuz is an ELF vmlinux for x86-64 (ELF64,"
                        + " little-endian): Cloud Hypervisor boots that directly");
        assertThat(events).noneMatch(e -> e.stage() == BootEvent.Stage.DHCP_OFFER);
        assertThat(registry.find("bootferry_dhcp_replies").counters()).isEmpty();
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

    /**
     * In a boot storm the REQUESTs come in bursts while the event loop is busy with transfers: the
     * 4011 socket holds a burst of 600 (from 300 machines, twice each) until the loop gets to it, and
     * every one is answered. The kernel's default buffer (208 KiB) held about a third of them: 728
     * dropped and 18 of 1,000 machines without an ACK after EDK2's four tries in the storm.
     */
    @Test
    void aBurstOfRequestsArrivingWhileTheEventLoopIsBusyIsHeldAndAnswered() throws Exception {
        long rmemMax = Long.parseLong(java.nio.file.Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0).strip());
        org.junit.jupiter.api.Assumptions.assumeTrue(rmemMax >= DhcpSockets.REQUEST_BUFFER,
                "net.core.rmem_max = " + rmemMax + " caps socket buffers below " + DhcpSockets.REQUEST_BUFFER);
        List<MacAddress> machines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            machines.add(MacAddress.parse(String.format("52:54:01:00:%02x:%02x", i >> 8, i & 0xFF)));
        }
        int pxePort = PXE_PORT + 100;
        ProxyDhcpServer storm = new ProxyDhcpServer(DhcpSettings.defaults().withClientPort(CLIENT_PORT + 100, DHCP_PORT + 100),
                BootConfig.planner(config.resolve("storm"), "127.0.0.1", machines.toArray(MacAddress[]::new)), e -> { },
                new SimpleMeterRegistry(), Discoveries.NONE);
        DatagramSocket edk2s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        try {
            storm.bind(group, Epoll.isAvailable() ? EpollDatagramChannel.class : NioDatagramChannel.class, LOOPBACK,
                    java.util.Optional.empty(), DHCP_PORT + 100, pxePort);
            Set<Integer> answered = ConcurrentHashMap.newKeySet();
            Thread receiver = new Thread(() -> {
                byte[] buf = new byte[2048];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    edk2s.setSoTimeout(5000);
                    while (answered.size() < 600) {
                        edk2s.receive(p);
                        answered.add(DhcpCodec.decode(Arrays.copyOf(buf, p.getLength())).xid());
                    }
                } catch (IOException | MalformedDhcpException e) {
                    // a timeout ends the count
                }
            });
            receiver.start();
            DhcpMessage request = DhcpCodec.decode(Captures.bytes(Captures.EDK2_X64_REQUEST_4011));
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch sent = new CountDownLatch(1);
            group.next().execute(() -> {  // the only event loop, busy with something else
                busy.countDown();
                try {
                    sent.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            busy.await();
            for (int i = 0; i < 600; i++) {
                DhcpMessage m = request;
                byte[] chaddr = Arrays.copyOf(machines.get(i % 300).toBytes(), 16);
                byte[] bytes = DhcpCodec.encode(new DhcpMessage(m.op(), m.htype(), m.hlen(), m.hops(), 0x7000 + i, m.secs(),
                        m.flags(), m.ciaddr(), m.yiaddr(), m.siaddr(), m.giaddr(), chaddr, m.sname(), m.file(), m.options()));
                edk2s.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, pxePort));
            }
            sent.countDown();
            receiver.join();
            assertThat(answered).as("REQUESTs answered").hasSize(600);
        } finally {
            edk2s.close();
            storm.close();
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
        assertThat(offer.file()).isEqualTo("http://127.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe");
    }

    /**
     * Discovery is passive: a DISCOVER from a MAC with no machine file still gets no answer, and it is
     * recorded with what its request said, each attempt counted; a configured MAC is not recorded.
     * The saved list, read back as {@code bootferry discovered} reads it, says the same.
     */
    @Test
    void anUnknownMacsDiscoverIsRecordedAndStillNotAnswered() throws Exception {
        byte[] stranger = Captures.bytes(Captures.EDK2_X64_DISCOVER);
        stranger[28 + 5] = 0x77;
        byte[] known = Captures.bytes(Captures.SEABIOS_IPXE_DISCOVER);

        client.send(new DatagramPacket(stranger, stranger.length, LOOPBACK, DHCP_PORT));
        client.send(new DatagramPacket(stranger, stranger.length, LOOPBACK, DHCP_PORT));
        client.send(new DatagramPacket(known, known.length, LOOPBACK, DHCP_PORT));
        DatagramPacket answer = receive(client);

        // One event loop reads the socket in order: the answer to the third means the first two were handled.
        assertThat(DhcpCodec.decode(Arrays.copyOf(answer.getData(), answer.getLength())).mac()).isEqualTo(VM);
        assertThat(discovered.discovered()).hasSize(1);
        Discovered d = discovered.discovered().get(0);
        assertThat(d.mac()).isEqualTo(MacAddress.parse("52:54:00:12:34:77"));
        assertThat(d.requests()).isEqualTo(2);
        assertThat(d.latest().firmware()).isEqualTo(Firmware.EFI_X64);
        assertThat(d.latest().arch()).isEqualTo("7 (x64 UEFI)");
        assertThat(d.latest().vendorClass()).startsWith("PXEClient:Arch:00007");
        assertThat(d.latest().via()).isEqualTo("interface 127.0.0.1");
        assertThat(d.latest().uuid()).hasValueSatisfying(u -> assertThat(u).matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"));
        assertThat(d.firstSeen()).isBeforeOrEqualTo(d.latest().time());

        discovered.flush();
        DiscoveredMachines.Saved saved = DiscoveredMachines.read(state);
        assertThat(saved.machines()).containsExactly(d);
        assertThat(saved.dropped()).isZero();
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
                     BootConfig.planner(config, "127.0.0.1", VM), e -> { }, counted, Discoveries.NONE);
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
