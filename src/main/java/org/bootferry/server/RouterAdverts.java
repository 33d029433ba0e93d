package org.bootferry.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a Router Advertisement is known on a boot link, asked when DHCPv6 boot clients show up
 * there: without an RA carrying M (or O) iPXE never starts DHCPv6 and EDK2 waits 10 s for a route
 * (reference/ipv6, {@code pxe6-noRA}). Java cannot open a raw ICMPv6 socket, so what the kernel
 * learnt stands in for the RA itself. Evidence, in order:
 * <ol>
 *   <li>a route on the interface that the kernel made from an RA: flag RTF_ADDRCONF (0x00040000,
 *       linux/ipv6_route.h) in /proc/net/ipv6_route, a prefix or default router an RA announced;
 *   <li>an RA sender running on this host: a process named {@code radvd}, the daemon whose only job
 *       that is.
 * </ol>
 * What it cannot see: RAs on a link where this host does not accept them (accept_ra 0, or
 * forwarding 1 with accept_ra below 2: then no route is learnt), and RAs that dnsmasq
 * ({@code enable-ra}), systemd-networkd ({@code IPv6SendRA=}) or a router's own firmware send, which
 * no file here tells apart from those programs' other work. So the warning says "not seen", names
 * what was looked at, and is given once per interface an hour.
 */
final class RouterAdverts {

    private static final Logger log = LoggerFactory.getLogger(RouterAdverts.class);
    /** linux/ipv6_route.h: the route was made by address autoconfiguration (from an RA). */
    static final int RTF_ADDRCONF = 0x00040000;
    /** Processes whose running means RAs are sent from this host. */
    private static final Set<String> SENDERS = Set.of("radvd");
    private static final long CHECK_EVERY_NANOS = 3_600_000_000_000L;

    private final Path proc;
    private final LongSupplier nanoTime;
    /** When each interface was last looked at: at most once an hour, whatever was found. */
    private final Map<String, Long> checked = new ConcurrentHashMap<>();

    RouterAdverts(Path proc, LongSupplier nanoTime) {
        this.proc = proc;
        this.nanoTime = nanoTime;
    }

    static RouterAdverts onThisHost() {
        return new RouterAdverts(Path.of("/proc"), System::nanoTime);
    }

    /**
     * A DHCPv6 boot client was answered on {@code iface}: looks, at most hourly, and warns when no RA
     * is known there. Called on an event loop: a look reads two small /proc files and the process list.
     */
    void bootClientSeen(String iface) {
        long now = nanoTime.getAsLong();
        Long last = checked.get(iface);
        if (last != null && now - last < CHECK_EVERY_NANOS) {
            return;
        }
        checked.put(iface, now);
        missing(iface).ifPresent(why -> log.warn("{}", why));
    }

    /** Why no Router Advertisement is known on {@code iface}, or empty when one is. */
    Optional<String> missing(String iface) {
        List<String> looked = new ArrayList<>();
        try {
            if (raRoutes(Files.readString(proc.resolve("net/ipv6_route")), iface) > 0) {
                return Optional.empty();
            }
            looked.add("no route on " + iface + " came from an RA (/proc/net/ipv6_route)");
        } catch (IOException e) {
            looked.add("/proc/net/ipv6_route could not be read (" + e.getMessage() + ")");
        }
        Optional<String> sender = runningSender();
        if (sender.isPresent()) {
            return Optional.empty();
        }
        looked.add("no radvd runs on this host");
        return Optional.of("DHCPv6 boot clients on " + iface + " but no Router Advertisement seen: " + String.join("; ",
                looked) + ". The link needs an RA with M=1 (or O=1 in boot-only mode beside a stateful server) or"
                + " iPXE starts no DHCPv6 and EDK2 waits 10 s for a route (README \"DHCPv6 modes and Router"
                + " Advertisements\"). Not visible here: RAs from another router when this host does not accept"
                + " them, and RAs of dnsmasq or systemd-networkd on this host");
    }

    /** How many routes of {@code iface} in /proc/net/ipv6_route's text carry RTF_ADDRCONF. */
    static long raRoutes(String ipv6Route, String iface) {
        // Each line: dest destlen src srclen nexthop metric refcnt use flags device (net/ipv6/route.c).
        return ipv6Route.lines().map(String::trim).map(l -> l.split("\\s+")).filter(f -> f.length == 10)
                .filter(f -> f[9].equals(iface))
                .filter(f -> (Long.parseLong(f[8], 16) & RTF_ADDRCONF) != 0)
                .count();
    }

    private Optional<String> runningSender() {
        try (Stream<Path> pids = Files.list(proc)) {
            return pids.filter(p -> p.getFileName().toString().matches("[0-9]+")).map(p -> comm(p.resolve("comm")))
                    .filter(SENDERS::contains).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String comm(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return ""; // the process ended meanwhile
        }
    }
}
