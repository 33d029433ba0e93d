package org.bootferry.dhcp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.bootferry.machine.MacAddress;

/**
 * A token bucket per MAC: {@code burst} answers at once, then {@code perSecond}. Owned by one
 * responder; safe for its event loops to call concurrently. Buckets that have refilled are dropped
 * once the table grows, so a flood of invented MACs can't grow it without bound.
 */
final class MacRateLimiter {

    private static final int MAX_TRACKED = 65_536;
    private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;

    private final double burst;
    private final double perNano;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    MacRateLimiter(int burst, double perSecond, LongSupplier nanoClock) {
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.clock = nanoClock;
    }

    /** True when {@code mac} may be answered now (and counts the answer). */
    boolean tryAcquire(MacAddress mac) {
        long now = clock.getAsLong();
        if (buckets.size() > MAX_TRACKED) {
            sweep(now);
        }
        boolean[] allowed = new boolean[1];
        buckets.compute(mac.value(), (k, b) -> {
            Bucket bucket = b == null ? new Bucket(burst, now) : b;
            bucket.tokens = refilled(bucket, now);
            bucket.at = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                allowed[0] = true;
            }
            return bucket;
        });
        return allowed[0];
    }

    /**
     * At most once a second: forget the buckets that have refilled (they hold nothing a new bucket
     * wouldn't); if a flood of distinct MACs keeps the table full anyway, forget everything, which
     * only ever errs towards answering.
     */
    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_EVERY_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        buckets.values().removeIf(b -> refilled(b, now) >= burst);
        if (buckets.size() > MAX_TRACKED) {
            buckets.clear();
        }
    }

    private double refilled(Bucket b, long now) {
        return Math.min(burst, b.tokens + (now - b.at) * perNano);
    }
}
