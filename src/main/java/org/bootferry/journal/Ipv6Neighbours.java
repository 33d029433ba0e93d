package org.bootferry.journal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.bootferry.machine.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MAC behind an IPv6 address on one of this host's links, from the kernel's IPv6 neighbour table
 * (RFC 4861 §5.1's Neighbor Cache), read by running {@code ip -6 neigh show}.
 *
 * <p>Why a command. Linux publishes IPv6 neighbours only through rtnetlink (RTM_GETNEIGH): unlike
 * ARP's {@code /proc/net/arp} there is no file under /proc to read. The JDK opens no AF_NETLINK
 * socket and Netty's epoll transport has none either, so reading it ourselves would need native code.
 * iproute2's {@code ip} is on every host that runs us (our tests create their links with it); one
 * run costs a few milliseconds, so it runs off the event loops, with a {@link #TIMEOUT_MILLIS}.
 *
 * <p>Why one dump for all. Many clients boot at once and each asks for its own address: the whole
 * table is read by one run, at most once per {@link #DUMP_EVERY}, and every lookup that arrives while
 * it runs waits for that run instead of starting its own. Its text is parsed once, by
 * {@link #entries}, pure. Answers are then cached per address ({@link #KNOWN_FOR}, {@link #UNKNOWN_FOR})
 * so a client's retransmissions need no new read.
 *
 * <p>When it misses. An entry exists only once the kernel exchanged Neighbor Discovery with the
 * address: a client that unicasts to us first sends a Neighbor Solicitation with its link-layer
 * address (RFC 4861 §7.2.4), and the kernel keeps that as a STALE entry (§7.2.3), so EDK2's REQUEST
 * to UDP 4011 from its autoconfig address is found. A SOLICIT multicast to ff02::1:2 needs no
 * resolution: its sender is in the table only if the kernel talked to it before. Entries age out
 * (gc_stale_time, 60 s by default) and a client behind a router is never in it. A dump read just
 * before a client's entry appeared misses it; the client retransmits (RFC 8415 §15) after
 * {@link #UNKNOWN_FOR}, when a new dump is due.
 */
final class Ipv6Neighbours {

    private static final Logger log = LoggerFactory.getLogger(Ipv6Neighbours.class);
    /**
     * How long one {@code ip} run may take before it is killed and counts as "not known": it takes
     * milliseconds, but at load 58 on 2 cores a run took over 2 s. It runs off the event loops, and
     * a client waits for its answer and retransmits meanwhile (RFC 8415 §15), so a slow answer is
     * still one.
     */
    static final long TIMEOUT_MILLIS = 5000;
    /** A MAC found is kept this long: a client's next retransmission needs no process. */
    static final long KNOWN_FOR = TimeUnit.SECONDS.toNanos(10);
    /** An address not found is asked again after this: the entry appears with the client's next unicast. */
    static final long UNKNOWN_FOR = TimeUnit.SECONDS.toNanos(1);
    /** The table is read at most once in this time, counted from the end of the last read. */
    static final long DUMP_EVERY = TimeUnit.SECONDS.toNanos(1);
    /** The arguments of {@code ip} that print the whole IPv6 neighbour table, every device's. */
    static final List<String> DUMP = List.of("-6", "neigh", "show");
    /** Addresses cached at most: more than a link's booting clients at once. */
    static final int BOUND = 1024;

    /** Runs {@code ip} with these arguments and returns its standard output. */
    @FunctionalInterface
    interface Command {
        String run(List<String> args) throws IOException;
    }

    private record Cached(Optional<MacAddress> mac, long until) {
    }

    private final Command command;
    private final LongSupplier nanoTime;
    private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > BOUND;
        }
    };
    /** The last read of the table ({@link #entries}), or the one running; null before the first. */
    private CompletableFuture<Map<String, MacAddress>> dump;
    /** When {@link #dump} completed. */
    private long dumpedAt;
    private boolean warned;

    Ipv6Neighbours(Command command, LongSupplier nanoTime) {
        this.command = command;
        this.nanoTime = nanoTime;
    }

    /** The neighbour table of this process's network namespace, through {@code ip}. */
    static Ipv6Neighbours ofThisHost() {
        return new Ipv6Neighbours(Ipv6Neighbours::ip, System::nanoTime);
    }

    /**
     * The MAC of {@code address}; a link-local address must carry its interface as scope, a global
     * one may (then only that interface's entry counts). Blocks for up to {@link #TIMEOUT_MILLIS}.
     */
    Optional<MacAddress> lookup(Inet6Address address) {
        if (address.getScopedInterface() == null && address.isLinkLocalAddress()) {
            return Optional.empty(); // fe80::/10 is on every link: without one named, no entry is this client's
        }
        String key = key(address);
        long now = nanoTime.getAsLong();
        synchronized (cache) {
            Cached c = cache.get(key);
            if (c != null && now - c.until() < 0) {
                return c.mac();
            }
        }
        Optional<MacAddress> mac;
        try {
            mac = find(table(), address);
        } catch (IOException e) {
            synchronized (this) {
                if (!warned) {
                    warned = true;
                    log.warn("cannot read the IPv6 neighbour table (ip {}): {}; DHCPv6 and TFTP clients"
                            + " are identified without it", String.join(" ", DUMP), e.getMessage());
                }
            }
            mac = Optional.empty();
        }
        synchronized (cache) {
            cache.put(key, new Cached(mac, now + (mac.isPresent() ? KNOWN_FOR : UNKNOWN_FOR)));
        }
        return mac;
    }

    /**
     * The entries of one {@code ip -6 neigh show} run, from the last run when it ended less than
     * {@link #DUMP_EVERY} ago or is still running (then this waits for it), else from a new run,
     * parsed once for all. A failed run fails every lookup that shared it, and counts as a run.
     */
    private Map<String, MacAddress> table() throws IOException {
        CompletableFuture<Map<String, MacAddress>> shared;
        boolean mine = false;
        synchronized (this) {
            if (dump == null || dump.isDone() && nanoTime.getAsLong() - dumpedAt >= DUMP_EVERY) {
                dump = new CompletableFuture<>();
                mine = true;
            }
            shared = dump;
        }
        if (mine) {
            Map<String, MacAddress> entries = null;
            Exception failed = null;
            try {
                entries = entries(command.run(DUMP));
            } catch (IOException | RuntimeException e) {
                failed = e; // completes the shared run all the same: its waiters must not wait forever
            }
            synchronized (this) {
                dumpedAt = nanoTime.getAsLong(); // before completing: whoever sees it done sees when
            }
            if (failed != null) {
                shared.completeExceptionally(failed);
            } else {
                shared.complete(entries);
            }
        }
        try {
            return shared.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The MAC {@code address} has in {@code entries} of the table. */
    static Optional<MacAddress> find(Map<String, MacAddress> entries, Inet6Address address) {
        return Optional.ofNullable(entries.get(key(address)));
    }

    /**
     * The entries with a MAC in the output of {@code ip -6 neigh show}: one line per entry, {@code ADDR
     * [dev IF] [lladdr MAC] [router] STATE} (iproute2 6.1), by {@link #key}: each under its address
     * with its device, and under its address alone (the first device's). An entry without lladdr
     * (INCOMPLETE, FAILED) knows no MAC; a STALE one holds the address the neighbour last announced,
     * which is what we want.
     */
    static Map<String, MacAddress> entries(String ipOutput) {
        Map<String, MacAddress> entries = new HashMap<>();
        for (String line : ipOutput.split("\n")) {
            String[] f = line.trim().split("\\s+");
            Optional<Inet6Address> address = f.length < 3 ? Optional.empty() : literal(f[0]);
            if (address.isEmpty()) {
                continue;
            }
            for (int i = 1; i + 1 < f.length; i++) {
                if (f[i].equals("lladdr") && MacAddress.isMac(f[i + 1])) {
                    MacAddress mac = MacAddress.parse(f[i + 1]);
                    entries.putIfAbsent(address.get().getHostAddress(), mac);
                    if (f[1].equals("dev")) {
                        entries.put(address.get().getHostAddress() + "%" + f[2], mac);
                    }
                    break;
                }
            }
        }
        return entries;
    }

    /**
     * Where {@code address} is in {@link #entries} and the cache: the address, with the name of the
     * interface it is scoped to, if any: then only that interface's entry counts.
     */
    private static String key(Inet6Address address) {
        return withoutScope(address).getHostAddress() + Optional.ofNullable(address.getScopedInterface())
                .map(nif -> "%" + nif.getName()).orElse("");
    }

    private static Optional<Inet6Address> literal(String field) {
        if (!field.contains(":")) {
            return Optional.empty(); // never a name, which getByName would resolve
        }
        try {
            return InetAddress.getByName(field) instanceof Inet6Address a ? Optional.of(a) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty(); // a field that is no address literal: not an entry
        }
    }

    private static Inet6Address withoutScope(Inet6Address a) {
        try {
            return (Inet6Address) InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    private static String ip(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("no answer within " + TIMEOUT_MILLIS + " ms");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
