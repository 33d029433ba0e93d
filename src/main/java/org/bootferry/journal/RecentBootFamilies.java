package org.bootferry.journal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.bootferry.machine.BootFamilies;
import org.bootferry.machine.MacAddress;

/**
 * {@link BootFamilies} in memory, for {@link #RECENT}: after a restart a machine in the middle of an
 * IPv6 boot at worst gets its script over IPv4, as before the memory was there.
 */
public final class RecentBootFamilies implements BootFamilies {

    /**
     * How long a firmware's answer counts as "moments ago": from it to its iPXE's DHCP request is the
     * loader's download and start, 10-20 s under QEMU TCG. Not much longer: the NIC's own iPXE ROM
     * (SeaBIOS) asks with no firmware answer before it, and must not inherit an old boot's family.
     */
    public static final Duration RECENT = Duration.ofSeconds(90);
    /**
     * Expired entries are swept when the map holds more than this (a boot storm's worth of MACs), at
     * most once per {@link #RECENT}: a storm of more live MACs than this would otherwise walk the whole
     * map at every answer.
     */
    private static final int SWEEP_ABOVE = 4096;

    private record Answer(boolean ipv6, long at) {
    }

    private final LongSupplier nanoTime;
    private final Map<MacAddress, Answer> answers = new ConcurrentHashMap<>();
    /** When the last sweep ran ({@link #nanoTime}); a sweep is due {@link #RECENT} after it. */
    private volatile long swept;

    /** @param nanoTime the clock: {@link System#nanoTime} in the server, a fake one in tests */
    public RecentBootFamilies(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.swept = nanoTime.getAsLong();
    }

    @Override
    public void firmwareAnswered(MacAddress mac, boolean ipv6) {
        long now = nanoTime.getAsLong();
        if (answers.size() > SWEEP_ABOVE && now - swept > RECENT.toNanos()) {
            swept = now;
            answers.values().removeIf(a -> now - a.at() > RECENT.toNanos());
        }
        answers.put(mac, new Answer(ipv6, now));
    }

    @Override
    public boolean firmwareCameOverIpv6(MacAddress mac) {
        Answer a = answers.get(mac);
        return a != null && a.ipv6() && nanoTime.getAsLong() - a.at() <= RECENT.toNanos();
    }
}
