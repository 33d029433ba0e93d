package org.bootferry.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiConsumer;
import org.bootferry.lang.Ipv4;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Reads and checks the {@code dhcp:} section of server.yaml: the mode and, in server mode, the pools.
 * Each error is reported on the line of its key; a pool with an error is left out, the others are read.
 */
final class DhcpSection {

    /** RFC 2132 §5.1: the smallest MTU option 26 may carry. */
    private static final int MIN_MTU = 68;
    /** Shorter leases would have clients renewing every few seconds (T1 is half the lease). */
    private static final Duration MIN_LEASE = Duration.ofSeconds(10);
    /** RFC 2132 §9.2: 0xffffffff means infinity, which bootferry never hands out. */
    private static final long MAX_LEASE_SECONDS = 0xFFFF_FFFEL;

    /** Reports an error on the line of the key, e.g. {@code ("range", "dhcp.pools[0].range: …")}. */
    private final BiConsumer<String, String> errorAt;

    private DhcpSection(BiConsumer<String, String> errorAt) {
        this.errorAt = errorAt;
    }

    static ServerSettings.Dhcp read(ServerFile.DhcpFile f, BiConsumer<String, String> errorAt) {
        return new DhcpSection(errorAt).read(f);
    }

    private ServerSettings.Dhcp read(ServerFile.DhcpFile f) {
        if (f == null) {
            return ServerSettings.Dhcp.PROXY;
        }
        ServerSettings.Dhcp.Mode mode = ServerSettings.Dhcp.Mode.PROXY;
        if (f.mode() != null) {
            try {
                mode = ServerSettings.Dhcp.Mode.valueOf(f.mode().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errorAt.accept("mode", "dhcp.mode: '" + f.mode() + "' is none of proxy (answer boot clients beside"
                        + " the site's DHCP server), server (be the network's DHCP server) and off");
            }
        }
        List<ServerFile.PoolFile> written = f.pools() == null ? List.of() : f.pools();
        if (mode != ServerSettings.Dhcp.Mode.SERVER) {
            if (!written.isEmpty()) {
                errorAt.accept("pools", "dhcp.pools: only server mode hands out addresses (add 'mode: server')");
            }
            if (f.dns() != null) {
                errorAt.accept("dns", "dhcp.dns: the DNS listener answers for the leases and reservations of server"
                        + " mode (add 'mode: server')");
            }
            return new ServerSettings.Dhcp(mode, List.of(), Optional.empty());
        }
        if (written.isEmpty()) {
            errorAt.accept("mode", "dhcp.mode server needs 'pools:', the addresses to hand out");
        }
        List<ServerSettings.Pool> pools = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            String at = "dhcp.pools[" + i + "]";
            if (written.get(i) == null) {
                errorAt.accept("pools", at + ": an empty entry");
                continue;
            }
            pool(at, written.get(i)).ifPresent(p -> overlaps(at, p, pools));
        }
        return new ServerSettings.Dhcp(mode, pools, dns(f.dns()));
    }

    /** {@code dhcp.dns}: a zone (a domain name) and a port. */
    private Optional<ServerSettings.Dns> dns(ServerFile.DnsFile d) {
        if (d == null) {
            return Optional.empty();
        }
        boolean zone = d.zone() != null && d.zone().matches("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*");
        if (!zone) {
            errorAt.accept(d.zone() == null ? "dns" : "zone", "dhcp.dns.zone: " + (d.zone() == null ? "missing"
                    : "'" + d.zone() + "' is not a domain name") + " (write e.g. zone: lab, the domain of the machines' names)");
        }
        int port = d.port() == null ? 53 : d.port();
        if (port < 0 || port > 65535) {
            errorAt.accept("port", "dhcp.dns.port: " + port + " is not a port (1-65535, or 0 for any free port)");
        }
        return zone && port >= 0 && port <= 65535 ? Optional.of(new ServerSettings.Dns(port, d.zone())) : Optional.empty();
    }

    /** Adds the pool unless it serves the same interface as one before it, or their ranges overlap. */
    private void overlaps(String at, ServerSettings.Pool pool, List<ServerSettings.Pool> pools) {
        for (ServerSettings.Pool other : pools) {
            if (pool.iface().isPresent() && pool.iface().equals(other.iface())) {
                errorAt.accept("interface", at + ": " + other.name() + " has a pool already (one pool an interface)");
                return;
            }
            if (pool.subnet().isPresent() && pool.subnet().equals(other.subnet())) {
                errorAt.accept("subnet", at + ": " + other.name() + " has a pool already (one pool a subnet)");
                return;
            }
            if (Integer.compareUnsigned(Ipv4.toInt(pool.first()), Ipv4.toInt(other.last())) <= 0
                    && Integer.compareUnsigned(Ipv4.toInt(other.first()), Ipv4.toInt(pool.last())) <= 0) {
                errorAt.accept("range", at + ".range overlaps the range of the pool on " + other.name());
                return;
            }
        }
        pools.add(pool);
    }

    private Optional<ServerSettings.Pool> pool(String at, ServerFile.PoolFile p) {
        int errors = 0;
        Optional<Ipv4.Network> subnet = Optional.empty();
        if ((p.iface() == null) == (p.subnet() == null)) {
            errorAt.accept(p.iface() != null ? "interface" : "pools", at + ": name either 'interface' (clients on a"
                    + " link of this host) or 'subnet' (clients behind a relay agent), not " + (p.iface() == null
                    ? "neither" : "both"));
            errors++;
        } else if (p.subnet() != null) {
            subnet = Ipv4.Network.parse(p.subnet());
            if (subnet.isEmpty()) {
                errorAt.accept("subnet", at + ".subnet: '" + p.subnet() + "' is not an IPv4 network (write e.g."
                        + " 10.21.0.0/24, host bits zero)");
                errors++;
            }
        }
        Optional<Inet4Address> netmask = Optional.empty();
        if (p.netmask() != null) {
            netmask = Ipv4.parse(p.netmask()).filter(m -> Ipv4.prefixOf(m).isPresent());
            if (netmask.isEmpty()) {
                errorAt.accept("netmask", at + ".netmask: '" + p.netmask() + "' is not a netmask (e.g. 255.255.255.0)");
                errors++;
            } else if (subnet.isPresent() && !netmask.get().equals(subnet.get().netmask())) {
                errorAt.accept("netmask", at + ".netmask " + p.netmask() + " is not the netmask of subnet " + subnet.get());
                errors++;
            }
        }
        String[] ends = p.range() == null ? new String[0] : p.range().split("-", -1);
        Optional<Inet4Address> from = ends.length == 2 ? Ipv4.parse(ends[0]) : Optional.empty();
        Optional<Inet4Address> to = ends.length == 2 ? Ipv4.parse(ends[1]) : Optional.empty();
        if (from.isEmpty() || to.isEmpty() || Integer.compareUnsigned(Ipv4.toInt(from.get()), Ipv4.toInt(to.get())) > 0) {
            errorAt.accept(p.range() == null ? "pools" : "range", at + ".range: " + (p.range() == null ? "missing"
                    : "'" + p.range() + "' is not FIRST-LAST") + " (write e.g. 10.20.0.100-10.20.0.200)");
            return Optional.empty();
        }
        Inet4Address first = from.get();
        Inet4Address last = to.get();
        ServerSettings.Pool partial = new ServerSettings.Pool(Optional.empty(), subnet, first, last, netmask,
                Optional.empty(), List.of(), Optional.empty(), List.of(), MIN_LEASE, OptionalInt.empty(), false, false);
        Optional<Ipv4.Network> network = partial.network();
        if (network.isPresent() && !(network.get().contains(first) && network.get().contains(last))) {
            errorAt.accept("range", at + ".range " + p.range() + " is not inside " + network.get());
            errors++;
        }
        Optional<Inet4Address> router = Optional.empty();
        if (p.router() != null) {
            router = Ipv4.parse(p.router());
            if (router.isEmpty()) {
                errorAt.accept("router", at + ".router: '" + p.router() + "' is not an IPv4 address");
                errors++;
            } else if (network.isPresent() && !network.get().contains(router.get())) {
                errorAt.accept("router", at + ".router " + p.router() + " is not in " + network.get()
                        + ": clients could not reach it");
                errors++;
            }
        }
        List<Inet4Address> dns = new ArrayList<>();
        for (String server : p.dns() == null ? List.<String>of() : p.dns()) {
            Optional<Inet4Address> a = Ipv4.parse(server);
            if (a.isEmpty()) {
                errorAt.accept("dns", at + ".dns: '" + server + "' is not an IPv4 address");
                errors++;
            } else {
                dns.add(a.get());
            }
        }
        if (p.domain() != null && !isDomainName(p.domain())) {
            errorAt.accept("domain", at + ".domain: '" + p.domain() + "' is not a domain name");
            errors++;
        }
        List<String> search = p.search() == null ? List.of() : p.search();
        for (String name : search) {
            if (!isDomainName(name)) {
                errorAt.accept("search", at + ".search: '" + name + "' is not a domain name");
                errors++;
            }
        }
        Duration lease = ServerSettings.Pool.DEFAULT_LEASE_TIME;
        if (p.leaseTime() != null) {
            Optional<Duration> parsed = TimeSpan.parse(p.leaseTime());
            if (parsed.isEmpty() || parsed.get().compareTo(MIN_LEASE) < 0 || parsed.get().getSeconds() > MAX_LEASE_SECONDS) {
                errorAt.accept("leaseTime", at + ".leaseTime: '" + p.leaseTime() + "' is not a lease time of at"
                        + " least 10s (write e.g. 1h, 30m, 12h, 7d or a number of seconds)");
                errors++;
            } else {
                lease = parsed.get();
            }
        }
        OptionalInt mtu = OptionalInt.empty();
        if (p.mtu() != null) {
            if (p.mtu() < MIN_MTU || p.mtu() > 65535) {
                errorAt.accept("mtu", at + ".mtu: " + p.mtu() + " is out of range (68-65535, RFC 2132 §5.1)");
                errors++;
            } else {
                mtu = OptionalInt.of(p.mtu());
            }
        }
        if (p.allowOtherServers() != null && p.iface() == null) {
            errorAt.accept("allowOtherServers", at + ".allowOtherServers: only an interface's link is probed for other"
                    + " DHCP servers; a relayed subnet's are the relay agent's to choose");
            errors++;
        }
        if (errors > 0) {
            return Optional.empty();
        }
        return Optional.of(new ServerSettings.Pool(Optional.ofNullable(p.iface()), subnet, first, last, netmask, router,
                dns, Optional.ofNullable(p.domain()), search, lease, mtu, Boolean.TRUE.equals(p.unknownMachines()),
                Boolean.TRUE.equals(p.allowOtherServers())));
    }

    /** A domain name as options 15, 119 and DHCPv6's 24 carry it. */
    static boolean isDomainName(String text) {
        if (text == null || text.isBlank() || text.endsWith(".") && text.length() == 1) {
            return false;
        }
        try {
            Name.fromString(text, Name.root);
            return text.matches("[A-Za-z0-9._-]+");
        } catch (TextParseException e) {
            return false;
        }
    }
}
