package org.bootferry.journal;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.bootferry.machine.LoaderFetchLog;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Neighbours;

/**
 * Which machine fetched which first-stage loader moments ago, told by TFTP and by HTTP
 * ({@code /boot/M/tftp/NAME}), asked by the planner. With {@code chainload: {ipxe: server}} an iPXE asking
 * for its boot is either the NIC's own (send it our loader) or the build it just fetched (send it the
 * script): the same DHCP options, so only this memory tells them apart and breaks the loop, with no
 * custom iPXE build. Kept in memory only: after a restart, a machine in the middle of a boot at worst
 * chainloads once more.
 */
public final class LoaderFetches implements LoaderFetchLog {

    /**
     * How long a fetch counts as "moments ago": from the loader's download to its DHCP request is
     * seconds (6 s under QEMU TCG); a minute leaves room for slow links and NIC initialisation. A later
     * request gets the loader once more and is recognised the next time, so a slow boot costs one
     * extra chainload, never a loop.
     */
    public static final Duration RECENT = Duration.ofSeconds(60);
    /** Expired entries are swept when the map holds more than this: a boot storm's worth of MACs. */
    private static final int SWEEP_ABOVE = 4096;

    private record Fetch(String name, long at) {
    }

    private final Neighbours neighbours;
    private final LongSupplier nanoTime;
    private final Map<MacAddress, Fetch> fetches = new ConcurrentHashMap<>();

    /**
     * @param neighbours the MAC of a client address on our links ({@link NeighbourTable#arp}: TFTP and HTTP
     *                   may tell of a fetch on their event loops)
     * @param nanoTime   the clock ({@link System#nanoTime}); the server passes these two through
     *                   {@link #onThisHost}, tests pass a fake table and clock
     */
    public LoaderFetches(Neighbours neighbours, LongSupplier nanoTime) {
        this.neighbours = neighbours;
        this.nanoTime = nanoTime;
    }

    /** Fetches of the host's ARP table on the system clock. */
    public static LoaderFetches onThisHost() {
        return new LoaderFetches(NeighbourTable::arp, System::nanoTime);
    }

    /** {@code mac} is fetching loader {@code name} (as requested: a leading '/' is ignored). */
    @Override
    public void fetched(MacAddress mac, String name) {
        long now = nanoTime.getAsLong();
        if (fetches.size() > SWEEP_ABOVE) {
            fetches.values().removeIf(f -> now - f.at() > RECENT.toNanos());
        }
        fetches.put(mac, new Fetch(strip(name), now));
    }

    /** A fetch by address: recorded when the address is a neighbour whose MAC we know, else dropped. */
    @Override
    public void fetched(InetAddress client, String name) {
        neighbours.macOf(client).ifPresent(mac -> fetched(mac, name));
    }

    /** True when {@code mac}'s last fetch was loader {@code name}, within {@link #RECENT}. */
    @Override
    public boolean fetchedRecently(MacAddress mac, String name) {
        Fetch f = fetches.get(mac);
        return f != null && f.name().equals(strip(name)) && nanoTime.getAsLong() - f.at() <= RECENT.toNanos();
    }

    private static String strip(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '/') {
            i++;
        }
        return name.substring(i);
    }
}
