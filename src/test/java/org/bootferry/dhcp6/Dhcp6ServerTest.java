package org.bootferry.dhcp6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.dhcp6.Captures6.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bootferry.journal.UnidentifiedLog;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.UnidentifiedClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The captured EDK2 messages sent over UDP on loopback ([::1]) to a running boot-only listener, the
 * answers decoded: through a relay agent's RELAY-FORW (RFC 8415 §9) on the DHCPv6 port, and EDK2's
 * boot-service REQUEST on the PXE port.
 */
class Dhcp6ServerTest {

    private static final Inet6Address LOOPBACK = address("::1");
    /** A relay agent's link-address: the client's link, as a relay with a global address there writes it. */
    private static final Inet6Address LINK = address("fd42::1");

    @TempDir
    Path config;
    private EventLoopGroup group;
    private Dhcp6Server server;
    private Dhcp6Server.Bound bound;
    private DatagramSocket socket;
    private final List<BootEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** What the kernel's neighbour table would say: empty unless a test fills it. */
    private final Map<InetAddress, MacAddress> neighbourTable = new ConcurrentHashMap<>();
    private final UnidentifiedLog unidentified = new UnidentifiedLog(UnidentifiedLog.CAPACITY);

    @BeforeEach
    void start() throws Exception {
        // The server the captured REQUEST on 4011 names: the boot-only responder of run proxy6-pxe.
        Duid serverId = message(BOOTONLY_PXE_ADVERTISE).option(Dhcp6Option.ServerId.class).orElseThrow().duid();
        BootOnly6 decision = new BootOnly6(BootConfig6.planner(config, ""),
                BootOnly6.DuidBook.NONE, serverId);
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> channel = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        server = new Dhcp6Server(Dhcp6Server.bootOnly(decision, address -> Optional.ofNullable(neighbourTable.get(
                address))), events::add, BootFamilies.NONE, registry, iface -> { }, unidentified);
        bound = server.bind(group, channel, List.of(), List.of(LOOPBACK), 0, 0);
        socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(5000);
    }

    @AfterEach
    void stop() {
        socket.close();
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void relayedEdk2SolicitGetsARelayReplyAroundTheBootOnlyAdvertise() throws Exception {
        Dhcp6Message.ClientServer solicit = message(EDK2_PXE_SOLICIT);
        Dhcp6Option.InterfaceId interfaceId = new Dhcp6Option.InterfaceId(Opaque.ascii("eth0"));
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, LINK, CLIENT_LINK_LOCAL,
                List.of(interfaceId, new Dhcp6Option.RelayMessage(solicit)));

        Dhcp6Message answer = exchange(Dhcp6Codec.encode(forward), bound.port());

        Dhcp6Message.Relay reply = (Dhcp6Message.Relay) answer;
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.RELAY_REPL);
        assertThat(reply.hopCount()).isZero();
        assertThat(reply.linkAddress()).isEqualTo(LINK);
        assertThat(reply.peerAddress()).isEqualTo(CLIENT_LINK_LOCAL);
        assertThat(reply.option(Dhcp6Option.InterfaceId.class)).contains(interfaceId);
        Dhcp6Message.ClientServer advertise = (Dhcp6Message.ClientServer) reply.relayed();
        assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(advertise.transactionId()).isEqualTo(solicit.transactionId());
        assertThat(advertise.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                .isEqualTo("tftp://[::1]/ipxe.efi");
        assertThat(advertise.option(Dhcp6Option.VendorClass.class).orElseThrow().data())
                .containsExactly(Opaque.ascii("PXEClient"));
        assertThat(advertise.option(Dhcp6Option.IaNa.class)).isEmpty();
        assertThat(advertise.option(Dhcp6Option.ClientId.class)).isEqualTo(solicit.option(Dhcp6Option.ClientId.class));
        awaitEvents(1);
        assertThat(events.get(0).mac()).isEqualTo(BootConfig6.VM);
        assertThat(registry.counter("bootferry_dhcp6_replies", "type", "advertise", "firmware", "efi-x64").count())
                .isEqualTo(1);
    }

    /**
     * EDK2's REQUEST on 4011 comes from its autoconfig address (no EUI-64) with a DUID-UUID: the
     * MAC its SOLICIT showed, through the relay, names the machine.
     */
    @Test
    void edk2BootServiceRequestOnThePxePortIsTheMachineOfItsSolicit() throws Exception {
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, LINK, CLIENT_LINK_LOCAL,
                List.of(new Dhcp6Option.RelayMessage(message(EDK2_PXE_SOLICIT))));
        exchange(Dhcp6Codec.encode(forward), bound.port());
        Dhcp6Message.ClientServer request = message(EDK2_BINL_REQUEST_4011);

        Dhcp6Message.ClientServer reply = (Dhcp6Message.ClientServer) exchange(bytes(EDK2_BINL_REQUEST_4011),
                bound.pxePort());

        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(reply.transactionId()).isEqualTo(request.transactionId());
        assertThat(reply.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                .isEqualTo("tftp://[::1]/ipxe.efi");
        assertThat(reply.option(Dhcp6Option.ServerId.class)).isEqualTo(request.option(Dhcp6Option.ServerId.class));
        awaitEvents(2);
        assertThat(events.get(1).stage()).isEqualTo(BootEvent.Stage.PXE_ACK);
    }

    /**
     * EDK2 sends its REQUEST on 4011 once and opens the socket it reads the REPLY on only after the
     * REQUEST has left: a client that listens 100 ms after it sent still gets the REPLY, sent again
     * for it, and the boot is journaled once.
     */
    @Test
    void aBootServiceClientThatListensOnlyAfterItsRequestLeftStillGetsTheReply() throws Exception {
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, LINK, CLIENT_LINK_LOCAL,
                List.of(new Dhcp6Option.RelayMessage(message(EDK2_PXE_SOLICIT))));
        exchange(Dhcp6Codec.encode(forward), bound.port());
        byte[] request = bytes(EDK2_BINL_REQUEST_4011);
        int port;
        try (DatagramSocket writer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            port = writer.getLocalPort();
            writer.send(new DatagramPacket(request, request.length, LOOPBACK, bound.pxePort()));
        }
        Thread.sleep(100);

        try (DatagramSocket reader = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
            reader.setSoTimeout(3000);
            DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
            reader.receive(answer);
            Dhcp6Message.ClientServer reply = (Dhcp6Message.ClientServer) Dhcp6Codec.decode(
                    Arrays.copyOf(answer.getData(), answer.getLength()));
            assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
            assertThat(reply.transactionId()).isEqualTo(message(EDK2_BINL_REQUEST_4011).transactionId());
        }
        awaitEvents(2);
        assertThat(events.get(1).stage()).isEqualTo(BootEvent.Stage.PXE_ACK);
    }

    /**
     * EDK2's REQUEST on 4011 with no SOLICIT before it, from ::1 (not EUI-64): nothing in it names
     * the machine, so the neighbour table is asked; without an entry it is not answered and listed
     * with each way tried, with one it is answered and leaves the list.
     */
    @Test
    void aRequestNothingNamesIsListedUntilTheNeighbourTableKnowsItsAddress() throws Exception {
        String duid = BootOnly6.hex(message(EDK2_BINL_REQUEST_4011).option(Dhcp6Option.ClientId.class).orElseThrow().duid());
        byte[] request = bytes(EDK2_BINL_REQUEST_4011);
        socket.send(new DatagramPacket(request, request.length, LOOPBACK, bound.pxePort()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (unidentified.clients().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(unidentified.clients()).hasSize(1);
        UnidentifiedClient listed = unidentified.clients().get(0);
        assertThat(listed.duid()).isEqualTo(duid);
        assertThat(listed.latest().address()).isEqualTo("::1");
        assertThat(listed.latest().via()).isEqualTo("unicast");
        assertThat(listed.latest().tried()).hasSize(ClientMac.Source.values().length)
                .last().asString().startsWith("the kernel's IPv6 neighbour table").contains("no MAC for ::1 ");
        assertThat(events).isEmpty();

        neighbourTable.put(LOOPBACK, BootConfig6.VM);
        Dhcp6Message.ClientServer reply = (Dhcp6Message.ClientServer) exchange(request, bound.pxePort());

        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        awaitEvents(1);
        assertThat(events.get(0).mac()).isEqualTo(BootConfig6.VM);
        assertThat(unidentified.clients()).isEmpty();
    }

    /** Sends {@code datagram} to the listener and decodes the one answer, which comes from that port. */
    private Dhcp6Message exchange(byte[] datagram, int port) throws Exception {
        socket.send(new DatagramPacket(datagram, datagram.length, LOOPBACK, port));
        DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
        socket.receive(answer);
        assertThat(answer.getPort()).isEqualTo(port);
        return Dhcp6Codec.decode(Arrays.copyOf(answer.getData(), answer.getLength()));
    }

    private void awaitEvents(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(events).hasSize(count);
    }
}
