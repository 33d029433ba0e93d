package org.bootferry.server;

import java.util.function.Function;
import java.util.function.Supplier;
import org.bootferry.config.ConfigSnapshot;

/**
 * A value computed from the config in force, computed again only when a reload brings a new
 * snapshot: an index that every request asks (reservations by address, machines by DUID) costs one
 * pass over the machine files per reload, not per request. Two threads that see a new snapshot at
 * once may both compute it; either result is the same.
 *
 * @param <T> the value, immutable
 */
final class PerSnapshot<T> implements Supplier<T> {

    private record Computed<T>(ConfigSnapshot snapshot, T value) {
    }

    private final Supplier<ConfigSnapshot> config;
    private final Function<ConfigSnapshot, T> compute;
    private volatile Computed<T> last;

    PerSnapshot(Supplier<ConfigSnapshot> config, Function<ConfigSnapshot, T> compute) {
        this.config = config;
        this.compute = compute;
    }

    @Override
    public T get() {
        ConfigSnapshot snapshot = config.get();
        Computed<T> current = last;
        if (current == null || current.snapshot() != snapshot) {
            current = new Computed<>(snapshot, compute.apply(snapshot));
            last = current;
        }
        return current.value();
    }
}
