package org.bootferry.lang;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One log line per key (a client and a cause) per interval, however often it happens: the first
 * occurrence is written at once, later ones in the interval are only counted, and the first after it
 * is written with how many were held back. What a client can make the server do again and again then
 * costs one line per interval, not one per packet. At most {@code keys} keys are kept; past that the
 * counts start over (a line too many, never one lost without a count).
 *
 * @param <K> what a line is about: a record of client and cause
 */
public final class Throttle<K> {

    /** Whether to write this occurrence, and how many like it were not written since the last. */
    public record Verdict(boolean write, long heldBack) {
        /** What a written line ends with: {@code " (and 12 more times since the last line)"}, or nothing. */
        public String note() {
            return heldBack == 0 ? "" : " (and " + heldBack + " more times since the last line)";
        }
    }

    private record Window(long startedNanos, long heldBack) {
    }

    private final long intervalNanos;
    private final int keys;
    private final LongSupplier clock;
    private final Map<K, Window> windows = new ConcurrentHashMap<>();

    public Throttle(Duration interval, int keys) {
        this(interval, keys, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime}: a test's own */
    public Throttle(Duration interval, int keys, LongSupplier clock) {
        if (interval.isNegative() || interval.isZero() || keys < 1) {
            throw new IllegalArgumentException("a throttle needs a positive interval and keys: " + interval + ", "
                    + keys);
        }
        this.intervalNanos = interval.toNanos();
        this.keys = keys;
        this.clock = clock;
    }

    /** Counts one occurrence of {@code key} and says whether to write it. */
    public Verdict occurred(K key) {
        long now = clock.getAsLong();
        if (windows.size() >= keys && !windows.containsKey(key)) {
            windows.clear();
        }
        Verdict[] verdict = new Verdict[1];
        windows.compute(key, (k, window) -> {
            if (window == null || now - window.startedNanos() >= intervalNanos) {
                verdict[0] = new Verdict(true, window == null ? 0 : window.heldBack());
                return new Window(now, 0);
            }
            verdict[0] = new Verdict(false, window.heldBack() + 1);
            return new Window(window.startedNanos(), window.heldBack() + 1);
        });
        return verdict[0];
    }
}
