package org.bootferry.server;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.bootferry.boot.Booter;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ServerSettings;
import org.bootferry.dhcp.DhcpSettings;
import org.bootferry.dhcp.ProxyDhcpServer;
import org.bootferry.dhcp.ProxyLimits;
import org.bootferry.journal.DiscoveredMachines;
import org.bootferry.machine.BootLog;

/**
 * ProxyDHCP put together from server.yaml: the responder on the DHCP and PXE ports (67, 4011) of the
 * bind address, with {@code proxyDhcp:}'s limits as they are at each request.
 */
final class ProxyDhcpMode {

    private ProxyDhcpMode() {
    }

    /**
     * Binds the responder and reports its {@code listening} lines.
     *
     * @throws ListenerException saying which port could not be had and what to do; nothing stays bound
     */
    static ProxyDhcpServer start(ServerSettings settings, ConfigHolder config, Booter planner, BootLog events,
            MeterRegistry registry, DiscoveredMachines discovered, Transport dhcp, Consumer<String> ready) {
        ProxyDhcpServer server = new ProxyDhcpServer(DhcpSettings.defaults(),
                () -> limits(config.get().settings().proxyDhcp()), planner, events, registry, discovered);
        InetAddress bind = BootServer.literal(settings.bind());
        ProxyDhcpServer.Bound bound;
        try {
            bound = server.bind(dhcp.group(), dhcp.datagramChannel(), bind,
                    settings.advertise().map(BootServer::literal), settings.dhcpPort(), settings.pxePort());
        } catch (Exception e) {
            server.close();
            throw new ListenerException(BootServer.explainBindFailure("dhcp", "udp",
                    new InetSocketAddress(bind, settings.dhcpPort()), "--dhcp-port/--pxe-port (or --no-dhcp)", e), e);
        }
        // The configured address with the bound ports: a wildcard socket reports itself as ::.
        ready.accept(BootServer.listening("dhcp", "udp", new InetSocketAddress(bind, bound.dhcp().getPort())));
        ready.accept(BootServer.listening("pxe", "udp", new InetSocketAddress(bind, bound.pxe().getPort())));
        return server;
    }

    private static ProxyLimits limits(ServerSettings.ProxyDhcp p) {
        return new ProxyLimits(p.maxAnswersPerSecond(), p.relaySubnets());
    }
}
