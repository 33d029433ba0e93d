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
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bootferry.lang.RecordJournal;
import org.bootferry.journal.RecentBootFamilies;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.UnidentifiedClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCPv6 server mode's listener on loopback ([::1]) with its journal on disk: the captured EDK2
 * exchange through a relay agent's RELAY-FORW (the pool is the one whose prefix holds the
 * link-address), the binding on disk by the time the REPLY arrives, and the binding still there
 * after a restart.
 */
class ServerDhcp6ListenerTest {

    private static final Inet6Address LOOPBACK = address("::1");
    /** The relay agent's link-address: inside the pool's prefix fd42::/64. */
    private static final Inet6Address LINK = address("fd42::1");

    @TempDir
    Path config;
    @TempDir
    Path state;
    private EventLoopGroup group;
    private Class<? extends DatagramChannel> channel;
    private RecordJournal<Lease6> journal;
    private Dhcp6Server server;
    private Dhcp6Server.Bound bound;
    private DatagramSocket socket;
    private final List<BootEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BootFamilies families = new RecentBootFamilies(System::nanoTime);
    private final ServerDhcp6Test.MemoryHosts hosts = new ServerDhcp6Test.MemoryHosts();

    @BeforeEach
    void start() throws Exception {
        hosts.hosts.put(BootConfig6.VM, new Hosts6.Host(java.util.Optional.empty(), java.util.Optional.empty()));
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        channel = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(5000);
        listen(0);
    }

    /** The listener as Dhcp6Mode puts it together: the journal read, the decision over its records. */
    private void listen(int port) throws Exception {
        journal = new RecordJournal<>(state, "leases.journal", Lease6.FORMAT);
        ServerDhcp6 decision = new ServerDhcp6(List.of(ServerDhcp6Test.POOL), hosts, BootConfig6.planner(config, ""),
                BootOnly6.DuidBook.NONE, ServerDhcp6Test.OURS, Discoveries.NONE, journal.records());
        server = new Dhcp6Server(Dhcp6Server.stateful(decision, journal, System::currentTimeMillis), events::add,
                families, registry, iface -> { }, UnidentifiedClients.NONE);
        bound = server.bind(group, channel, List.of(), List.of(LOOPBACK), port, 0);
    }

    private void stopListening() {
        server.close();
        journal.close();
    }

    @AfterEach
    void stop() {
        socket.close();
        stopListening();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void edk2PxeSolicitAndRequestThroughARelayBindAnAddressOnDiskBeforeTheReplyArrives() throws Exception {
        Dhcp6Message.ClientServer advertise = relayed(message(EDK2_PXE_SOLICIT));
        assertThat(advertise.type()).isEqualTo(Dhcp6MessageType.ADVERTISE);
        assertThat(ServerDhcp6Test.addresses(advertise)).containsExactly(address("fd42::100"));
        assertThat(advertise.option(Dhcp6Option.BootfileUrl.class).orElseThrow().url())
                .isEqualTo("tftp://[::1]/ipxe.efi");

        Dhcp6Message.ClientServer reply = relayed(ServerDhcp6Test.toUs(message(EDK2_PXE_REQUEST)));

        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.REPLY);
        assertThat(ServerDhcp6Test.addresses(reply)).containsExactly(address("fd42::100"));
        // fdatasync'd before the REPLY left: another reader of the file sees the binding now.
        List<Lease6> onDisk = RecordJournal.read(state.resolve("leases.journal"), Lease6.FORMAT);
        assertThat(onDisk).singleElement().satisfies(l -> {
            assertThat(l.address()).isEqualTo(address("fd42::100"));
            assertThat(l.holder().orElseThrow().mac()).contains(BootConfig6.VM);
            assertThat(l.busy(System.currentTimeMillis())).isTrue();
        });
        awaitEvents(2);
        assertThat(events.get(1).stage()).isEqualTo(BootEvent.Stage.PXE_ACK);
        assertThat(families.firmwareCameOverIpv6(BootConfig6.VM)).as("its iPXE's DHCPv4 names no script URL").isTrue();
        assertThat(registry.counter("bootferry_dhcp6_replies", "type", "reply", "firmware", "efi-x64").count())
                .isEqualTo(1);
    }

    @Test
    void aBindingSurvivesARestartAndItsRenewIsExtended() throws Exception {
        relayed(message(EDK2_PXE_SOLICIT));
        relayed(ServerDhcp6Test.toUs(message(EDK2_PXE_REQUEST)));
        int port = bound.port();
        stopListening();
        listen(port);

        Dhcp6Message.ClientServer renew = ServerDhcp6Test.as(Dhcp6MessageType.RENEW, message(EDK2_PXE_REQUEST), true,
                address("fd42::100"));
        Dhcp6Message.ClientServer reply = relayed(renew);

        assertThat(ServerDhcp6Test.statuses(reply)).isEmpty();
        assertThat(reply.option(Dhcp6Option.IaNa.class).orElseThrow().addresses()).containsExactly(
                new Dhcp6Option.IaAddress(address("fd42::100"), 3600, 7200, List.of()));
        // A new client after the restart does not get the address the journal kept.
        Dhcp6Message.ClientServer other = relayed(message(EDK2_AUTOCONFIG_SOLICIT));
        assertThat(ServerDhcp6Test.addresses(other)).containsExactly(address("fd42::101"));
    }

    /** Sends {@code m} to the listener in a RELAY-FORW from the EUI-64 client and returns the answer inside the RELAY-REPL. */
    private Dhcp6Message.ClientServer relayed(Dhcp6Message.ClientServer m) throws Exception {
        Dhcp6Message.Relay forward = new Dhcp6Message.Relay(Dhcp6MessageType.RELAY_FORW, 0, LINK, CLIENT_LINK_LOCAL,
                List.of(new Dhcp6Option.RelayMessage(m)));
        byte[] datagram = Dhcp6Codec.encode(forward);
        socket.send(new DatagramPacket(datagram, datagram.length, LOOPBACK, bound.port()));
        DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
        socket.receive(answer);
        Dhcp6Message.Relay reply = (Dhcp6Message.Relay) Dhcp6Codec.decode(Arrays.copyOf(answer.getData(),
                answer.getLength()));
        assertThat(reply.type()).isEqualTo(Dhcp6MessageType.RELAY_REPL);
        assertThat(reply.linkAddress()).isEqualTo(LINK);
        return (Dhcp6Message.ClientServer) reply.relayed();
    }

    private void awaitEvents(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(events).hasSize(count);
    }
}
