package org.bootferry.config;

import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.bootferry.lang.Ipv6;

/**
 * Reads and checks the {@code dhcp6:} section of server.yaml. Each error is reported on the line of
 * its key and the section's default stands in for the value in error.
 */
final class Dhcp6Section {

    /** Shorter lifetimes would have clients renewing every few seconds (T1 is half the preferred lifetime). */
    private static final long MIN_LIFETIME_SECONDS = 10;
    /** RFC 8415 §7.7: 0xffffffff is infinity, which bootferry never hands out. */
    private static final long MAX_LIFETIME_SECONDS = 0xFFFF_FFFEL;

    /** Reports an error on the line of the key, e.g. {@code ("port", "dhcp6.port: …")}. */
    private final BiConsumer<String, String> errorAt;

    private Dhcp6Section(BiConsumer<String, String> errorAt) {
        this.errorAt = errorAt;
    }

    static ServerSettings.Dhcp6 read(ServerFile.Dhcp6File f, BiConsumer<String, String> errorAt) {
        return new Dhcp6Section(errorAt).read(f);
    }

    private ServerSettings.Dhcp6 read(ServerFile.Dhcp6File f) {
        ServerSettings.Dhcp6 d = ServerSettings.Dhcp6.OFF;
        if (f == null) {
            return d;
        }
        ServerSettings.Dhcp6.Mode mode = ServerSettings.Dhcp6.Mode.OFF;
        if (f.mode() != null) {
            switch (f.mode().toLowerCase(Locale.ROOT)) {
                case "off" -> mode = ServerSettings.Dhcp6.Mode.OFF;
                case "boot-only" -> mode = ServerSettings.Dhcp6.Mode.BOOT_ONLY;
                case "server" -> mode = ServerSettings.Dhcp6.Mode.SERVER;
                default -> errorAt.accept("mode", "dhcp6.mode: '" + f.mode() + "' is none of boot-only (answer boot"
                        + " clients with boot options beside the site's DHCPv6 server), server (be the network's"
                        + " DHCPv6 server) and off");
            }
        }
        List<String> interfaces = new ArrayList<>();
        for (String name : f.interfaces() == null ? List.<String>of() : f.interfaces()) {
            if (name == null || name.isBlank() || name.length() > 15 || name.contains("/")) {
                errorAt.accept("interfaces", "dhcp6.interfaces: '" + name + "' is not an interface name (1-15"
                        + " characters, no '/')");
            } else if (interfaces.contains(name)) {
                errorAt.accept("interfaces", "dhcp6.interfaces: " + name + " is named twice");
            } else {
                interfaces.add(name);
            }
        }
        return new ServerSettings.Dhcp6(mode, interfaces, port("port", f.port(), d.port()),
                port("pxePort", f.pxePort(), d.pxePort()), pools(mode, interfaces, f.pools()));
    }

    /**
     * Server mode's pools, none in the other modes: one an interface of {@code dhcp6.interfaces}, and
     * any number for links behind relay agents (no interface), whose prefixes overlap no other pool's:
     * a relayed client's pool is the one whose prefix holds the relay's link-address (RFC 8415 §13.1).
     */
    private List<ServerSettings.Pool6> pools(ServerSettings.Dhcp6.Mode mode, List<String> interfaces,
            List<ServerFile.Pool6File> written) {
        List<ServerFile.Pool6File> entries = written == null ? List.of() : written;
        if (mode != ServerSettings.Dhcp6.Mode.SERVER) {
            if (!entries.isEmpty()) {
                errorAt.accept("pools", "dhcp6.pools: only server mode hands out addresses (add 'mode: server')");
            }
            return List.of();
        }
        if (entries.isEmpty()) {
            errorAt.accept("mode", "dhcp6.mode server needs 'pools:', the addresses to hand out");
        }
        List<ServerSettings.Pool6> pools = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = "dhcp6.pools[" + i + "]";
            if (entries.get(i) == null) {
                errorAt.accept("pools", at + ": an empty entry");
                continue;
            }
            Optional<ServerSettings.Pool6> pool = pool(at, entries.get(i), interfaces);
            if (pool.isEmpty()) {
                continue;
            }
            Optional<ServerSettings.Pool6> same = pools.stream()
                    .filter(p -> p.iface().isPresent() && p.iface().equals(pool.get().iface())).findFirst();
            Optional<ServerSettings.Pool6> overlapping = pools.stream()
                    .filter(p -> (p.iface().isEmpty() || pool.get().iface().isEmpty()) && overlap(p.prefix(),
                            pool.get().prefix())).findFirst();
            if (same.isPresent()) {
                errorAt.accept("interface", at + ": interface " + same.get().iface().orElseThrow() + " has a pool"
                        + " already (one pool an interface)");
            } else if (overlapping.isPresent()) {
                errorAt.accept("prefix", at + ".prefix " + pool.get().prefix() + " overlaps " + overlapping.get()
                        .prefix() + " of an earlier pool: a relay agent's link-address would name both");
            } else {
                pools.add(pool.get());
            }
        }
        return pools;
    }

    private Optional<ServerSettings.Pool6> pool(String at, ServerFile.Pool6File p, List<String> interfaces) {
        int errors = 0;
        if (p.iface() != null && !interfaces.contains(p.iface())) {
            errorAt.accept("interface", at + ".interface: " + p.iface() + " is not in dhcp6.interfaces " + interfaces
                    + " (the links listened on)");
            errors++;
        }
        Optional<Ipv6.Network> prefix = Ipv6.Network.parse(p.prefix());
        if (prefix.isEmpty()) {
            errorAt.accept(p.prefix() == null ? "pools" : "prefix", at + ".prefix: " + (p.prefix() == null ? "missing"
                    : "'" + p.prefix() + "' is not an IPv6 prefix") + " (write e.g. fd42::/64, host bits zero)");
            errors++;
        }
        String[] ends = p.range() == null ? new String[0] : p.range().split("-", -1);
        Optional<Inet6Address> first = ends.length == 2 ? Ipv6.parse(ends[0].strip()) : Optional.empty();
        Optional<Inet6Address> last = ends.length == 2 ? Ipv6.parse(ends[1].strip()) : Optional.empty();
        if (first.isEmpty() || last.isEmpty() || Ipv6.toNumber(first.get()).compareTo(Ipv6.toNumber(last.get())) > 0) {
            errorAt.accept(p.range() == null ? "pools" : "range", at + ".range: " + (p.range() == null ? "missing"
                    : "'" + p.range() + "' is not FIRST-LAST") + " (write e.g. fd42::100-fd42::1ff)");
            return Optional.empty();
        }
        if (prefix.isPresent() && !(prefix.get().contains(first.get()) && prefix.get().contains(last.get()))) {
            errorAt.accept("range", at + ".range " + p.range() + " is not inside " + prefix.get());
            errors++;
        }
        Duration preferred = lifetime(at, "preferredLifetime", p.preferredLifetime(),
                ServerSettings.Pool6.DEFAULT_PREFERRED_LIFETIME);
        Duration valid = lifetime(at, "validLifetime", p.validLifetime(), ServerSettings.Pool6.DEFAULT_VALID_LIFETIME);
        if (preferred == null || valid == null) {
            errors++;
        } else if (preferred.compareTo(valid) > 0) {
            // RFC 8415 §21.6: a client discards an IAADDR whose preferred lifetime exceeds its valid one.
            errorAt.accept(p.preferredLifetime() != null ? "preferredLifetime" : "validLifetime", at
                    + ".preferredLifetime " + preferred.toSeconds() + "s" + " is longer than validLifetime "
                    + valid.toSeconds() + "s" + " (RFC 8415 §21.6: clients discard such an address)");
            errors++;
        }
        List<Inet6Address> dns = new ArrayList<>();
        for (String server : p.dns() == null ? List.<String>of() : p.dns()) {
            Optional<Inet6Address> a = Ipv6.parse(server);
            if (a.isEmpty()) {
                errorAt.accept("dns", at + ".dns: '" + server + "' is not an IPv6 address");
                errors++;
            } else {
                dns.add(a.get());
            }
        }
        List<String> search = p.search() == null ? List.of() : p.search();
        for (String name : search) {
            if (!DhcpSection.isDomainName(name)) {
                errorAt.accept("search", at + ".search: '" + name + "' is not a domain name");
                errors++;
            }
        }
        if (errors > 0) {
            return Optional.empty();
        }
        return Optional.of(new ServerSettings.Pool6(Optional.ofNullable(p.iface()), prefix.get(), first.get(), last.get(), preferred, valid,
                dns, search, Boolean.TRUE.equals(p.unknownMachines())));
    }

    private static boolean overlap(Ipv6.Network a, Ipv6.Network b) {
        return a.contains(b.base()) || b.contains(a.base());
    }

    /** A lifetime key: 10 s to 2^32-2 s (0xffffffff is infinity, RFC 8415 §7.7, never handed out); null on error. */
    private Duration lifetime(String at, String key, String text, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        Optional<Duration> parsed = TimeSpan.parse(text);
        if (parsed.isEmpty() || parsed.get().getSeconds() < MIN_LIFETIME_SECONDS
                || parsed.get().getSeconds() > MAX_LIFETIME_SECONDS) {
            errorAt.accept(key, at + "." + key + ": '" + text + "' is not a lifetime of 10s to 136y (write e.g. 1h,"
                    + " 30m, 7d or a number of seconds)");
            return null;
        }
        return parsed.get();
    }

    private int port(String key, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < 0 || value > 65535) {
            errorAt.accept(key, "dhcp6." + key + ": " + value + " is not a port (1-65535, or 0 for any free port)");
            return fallback;
        }
        return value;
    }
}
