package org.bootferry.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bootferry.boot.Booter;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.Reservations;
import org.bootferry.config.ServerSettings;
import org.bootferry.dhcp.AddressPool;
import org.bootferry.dhcp.ArpProbe;
import org.bootferry.dhcp.DhcpServer;
import org.bootferry.dhcp.DhcpSettings;
import org.bootferry.dhcp.LeaseJournal;
import org.bootferry.journal.NeighbourTable;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Discoveries;

/**
 * DHCP server mode put together: the pools of server.yaml with their networks known, the lease
 * journal under the state directory ({@code dhcp/leases.journal}), the ARP probe over the kernel's
 * neighbour table, and the listener.
 */
final class DhcpServerMode implements AutoCloseable {

    private final LeaseJournal journal;
    private final ArpProbe probe;
    private final DhcpServer server;
    private int port;

    private DhcpServerMode(LeaseJournal journal, ArpProbe probe, DhcpServer server) {
        this.journal = journal;
        this.probe = probe;
        this.server = server;
    }

    /** The DHCP port as bound. */
    int port() {
        return port;
    }

    /**
     * Opens the journal and binds the listener.
     *
     * @return the running server mode; {@link #port()} says the port it bound
     * @throws Exception saying which pool, file or socket could not be had; nothing stays open then
     */
    static DhcpServerMode start(ServerSettings settings, ConfigHolder config, Booter planner, BootLog events,
                                Discoveries discoveries, MeterRegistry registry, EventLoopGroup group,
                                Class<? extends DatagramChannel> channelType) throws Exception {
        List<AddressPool> pools = new ArrayList<>();
        for (ServerSettings.Pool p : settings.dhcp().pools()) {
            pools.add(pool(p));
        }
        Path dir = settings.state().resolve("dhcp");
        LeaseJournal journal;
        try {
            journal = new LeaseJournal(dir);
        } catch (IOException e) {
            throw new IOException("cannot use the DHCP lease journal in " + dir + ": " + e.getMessage(), e);
        }
        ArpProbe probe = null;
        try {
            probe = new ArpProbe(NeighbourTable::lookup);
            DhcpServer server = new DhcpServer(DhcpSettings.defaults(), pools, new ConfigHosts(config), planner, journal,
                    probe, events, registry, discoveries);
            DhcpServerMode mode = new DhcpServerMode(journal, probe, server);
            mode.port = server.bind(group, channelType, settings.dhcpPort());
            return mode;
        } catch (Exception e) {
            if (probe != null) {
                probe.close();
            }
            journal.close();
            throw e;
        }
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
        server.close();
        probe.close();
        journal.close();
    }
}
