package org.bootferry.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Booter;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.Reservations;
import org.bootferry.config.ServerSettings;
import org.bootferry.dhcp.AddressPool;
import org.bootferry.dhcp.ArpProbe;
import org.bootferry.dhcp.DhcpServer;
import org.bootferry.dhcp.DhcpSettings;
import org.bootferry.dhcp.Lease;
import org.bootferry.dhcp.LeaseJournal;
import org.bootferry.dhcp.OtherServers;
import org.bootferry.dhcp.ServerDhcp;
import org.bootferry.dns.DnsServer;
import org.bootferry.journal.NeighbourTable;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Discoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DHCP server mode put together: the pools of server.yaml with their networks known, the lease
 * journal under the state directory ({@code dhcp/leases.journal}), the ARP probe over the kernel's
 * neighbour table, the listener, and the watch for other DHCP servers on the pools' links
 * ({@link OtherServers}), which refuses a link where one answers at start.
 */
public final class DhcpServerMode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DhcpServerMode.class);
    /**
     * How long the start listens for other servers' answers to its DISCOVER: dnsmasq pings an
     * address before it first offers it and waits for no answer (OtherDhcpServerTest: its OFFER came
     * 3-4 s after the DISCOVER on a busy host).
     */
    static final Duration PROBE_WINDOW = Duration.ofSeconds(6);

    private final LeaseJournal journal;
    private final ArpProbe probe;
    private final DhcpServer server;
    private final OtherServers others;
    private int port;
    /** The DNS listener, when server.yaml has {@code dns:}. */
    private Optional<DnsServer> dns = Optional.empty();
    private Optional<InetSocketAddress> dnsAddress = Optional.empty();

    private DhcpServerMode(LeaseJournal journal, ArpProbe probe, DhcpServer server, OtherServers others) {
        this.journal = journal;
        this.probe = probe;
        this.server = server;
        this.others = others;
    }

    /** The DHCP port as bound. */
    int port() {
        return port;
    }

    /** Where the DNS listener is bound, when there is one. */
    Optional<InetSocketAddress> dnsAddress() {
        return dnsAddress;
    }

    /**
     * Probes each pool's interface for other DHCP servers, refusing those where one answers (unless
     * the pool has {@code allowOtherServers}), then opens the journal and binds the listener.
     *
     * @return the running server mode; {@link #port()} says the port it bound
     * @throws ListenerException when every pool was refused for another server, naming it
     * @throws Exception saying which pool, file or socket could not be had; nothing stays open then
     */
    static DhcpServerMode start(ServerSettings settings, ConfigHolder config, Booter planner, BootLog events,
                                Discoveries discoveries, BootFamilies families, MeterRegistry registry,
                                EventLoopGroup group, Class<? extends DatagramChannel> channelType) throws Exception {
        OtherServers others = new OtherServers(registry, DhcpServerMode::ours);
        LeaseJournal journal = null;
        ArpProbe probe = null;
        try {
            List<String> links = settings.dhcp().pools().stream().flatMap(p -> p.iface().stream()).toList();
            Map<String, List<Inet4Address>> found = others.probe(group, channelType, links, DhcpSettings.CLIENT_PORT,
                    PROBE_WINDOW);
            List<AddressPool> pools = new ArrayList<>();
            List<String> refusals = new ArrayList<>();
            for (ServerSettings.Pool p : settings.dhcp().pools()) {
                List<Inet4Address> servers = p.iface().map(i -> found.getOrDefault(i, List.of())).orElse(List.of());
                String names = String.join(", ", servers.stream().map(Inet4Address::getHostAddress).toList());
                if (servers.isEmpty()) {
                    pools.add(pool(p));
                } else if (p.allowOtherServers()) {
                    log.warn("serving the DHCP pool on {} beside another DHCP server there, {} (allowOtherServers: true)",
                            p.name(), names);
                    pools.add(pool(p));
                } else {
                    others.refused(p.iface().orElseThrow(), servers);
                    String refusal = "the DHCP pool on " + p.name() + " is refused: another DHCP server, " + names
                            + ", answered a DISCOVER there, and two servers on one link give clients conflicting"
                            + " addresses. Stop that server, or set 'allowOtherServers: true' on the pool to serve beside it";
                    log.error("{}", refusal);
                    refusals.add(refusal);
                }
            }
            if (pools.isEmpty()) {
                throw new ListenerException("not serving DHCP: " + String.join("; ", refusals), null);
            }
            Path dir = settings.state().resolve("dhcp");
            try {
                journal = new LeaseJournal(dir);
            } catch (IOException e) {
                throw new IOException("cannot use the DHCP lease journal in " + dir + ": " + e.getMessage(), e);
            }
            probe = new ArpProbe(NeighbourTable::arp);
            DhcpServer server = new DhcpServer(DhcpSettings.defaults(), pools, new ConfigHosts(config), planner, journal,
                    probe, events, registry, discoveries, families);
            DhcpServerMode mode = new DhcpServerMode(journal, probe, server, others);
            mode.port = server.bind(group, channelType, settings.dhcpPort());
            Optional<ServerSettings.Dns> dnsSettings = settings.dhcp().dns();
            if (dnsSettings.isPresent()) {
                DnsServer names = new DnsServer(dnsSettings.get().zone(), mode::addressing);
                mode.dns = Optional.of(names);
                InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(settings.bind()),
                        dnsSettings.get().port());
                try {
                    mode.dnsAddress = Optional.of(names.bind(group, channelType, at));
                } catch (Exception e) {
                    server.close(); // the rest is closed below
                    throw new ListenerException(BootServer.explainBindFailure("dns", "udp", at, "dhcp.dns.port in server.yaml",
                            e), e);
                }
            }
            return mode;
        } catch (Exception e) {
            if (probe != null) {
                probe.close();
            }
            if (journal != null) {
                journal.close();
            }
            others.close();
            throw e;
        }
    }

    /** Whether an address is this host's: an answer naming it as server is our own. */
    private static boolean ours(Inet4Address address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The listener's leases, reservations and names, and the other servers heard. */
    Addressing addressing() {
        return server.addressing(others);
    }

    /**
     * Server mode's addresses as its journals under the state directory have them, read without
     * opening them for writing (a running server may hold them): for {@code explain} and {@code
     * leases}. DHCPv4's when dhcp is in server mode, DHCPv6's bindings when dhcp6 is; else
     * {@link Addressing#NONE}.
     *
     * @throws IOException when a pool's interface is missing, or a journal can't be read
     */
    public static Addressing fromDisk(ConfigSnapshot snapshot) throws IOException {
        return Dhcp6Mode.fromDisk(snapshot, v4FromDisk(snapshot));
    }

    private static Addressing v4FromDisk(ConfigSnapshot snapshot) throws IOException {
        ServerSettings settings = snapshot.settings();
        if (settings.dhcp().mode() != ServerSettings.Dhcp.Mode.SERVER) {
            return Addressing.NONE;
        }
        List<AddressPool> pools = new ArrayList<>();
        for (ServerSettings.Pool p : settings.dhcp().pools()) {
            pools.add(pool(p));
        }
        Path dir = settings.state().resolve("dhcp");
        List<Lease> leases;
        try {
            leases = LeaseJournal.read(dir);
        } catch (IOException e) {
            throw new IOException("cannot read the DHCP lease journal in " + dir + ": " + e.getMessage(), e);
        }
        DhcpSettings ports = DhcpSettings.defaults();
        return new ServerDhcp(pools, new ConfigHosts(() -> snapshot), new BootPlanner(BootPlanner.Dependencies.of(
                () -> snapshot)), BootFamilies.NONE, leases, ports.clientPort(), ports.relayPort()).addressing(List::of);
    }

    /** A pool of server.yaml with its network: the config's, or its interface's as it is now. */
    private static AddressPool pool(ServerSettings.Pool p) throws IOException {
        Ipv4.Network network = p.network().or(() -> p.iface().flatMap(Reservations::networkOf))
                .orElseThrow(() -> new IOException("the DHCP pool on " + p.name() + ": " + p.iface().orElse("")
                        + " is not an interface of this host with an IPv4 address"));
        return new AddressPool(p.iface(), network, p.first(), p.last(), p.router(), p.dns(), p.domain(), p.search(),
                p.leaseTime(), p.mtu(), p.unknownMachines());
    }

    @Override
    public void close() {
        dns.ifPresent(DnsServer::close);
        others.close();
        server.close();
        probe.close();
        journal.close();
    }
}
