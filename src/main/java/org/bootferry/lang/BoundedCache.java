package org.bootferry.lang;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Values computed once per key and kept while fewer than a bound are kept; past the bound the cache
 * starts over. For answers asked on every request whose keys are few in practice (a host's addresses,
 * a config's templates, a tftproot's files) but unbounded in principle (every edit adds a key): a
 * forgotten value is computed again, so starting over costs a little time and never a wrong answer.
 *
 * @param <K> the key: a record of everything the value depends on
 * @param <V> the value
 */
public final class BoundedCache<K, V> {

    private final int bound;
    private final Map<K, V> values = new ConcurrentHashMap<>();

    /** @param bound how many values are kept at most */
    public BoundedCache(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be at least 1: " + bound);
        }
        this.bound = bound;
    }

    /**
     * The value for {@code key}, computed by {@code compute} when it is not kept. Two threads asking
     * for a new key at once may both compute a value; both get the one that was kept first, so a
     * value that is work to be done (a future) is done once. {@code compute} runs outside any lock:
     * it may take long without holding up other keys.
     */
    public V get(K key, Function<? super K, ? extends V> compute) {
        V value = values.get(key);
        if (value != null) {
            return value;
        }
        V computed = compute.apply(key);
        if (values.size() >= bound) {
            values.clear();
        }
        V kept = values.putIfAbsent(key, computed);
        return kept != null ? kept : computed;
    }

    /** Forgets the keys {@code stale} matches: an older version of something asked again. */
    public void forget(Predicate<? super K> stale) {
        values.keySet().removeIf(stale);
    }

    /** How many values are kept now; the bound is this class's promise, so its tests read this. */
    public int size() {
        return values.size();
    }
}
