package org.bootferry.boot;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Machine;

/**
 * The iPXE scripts rendered within the current second of the current config snapshot and image
 * cache, so that a machine's script is planned once a second however often it is asked for. A script
 * depends on the config (a new snapshot on every edit), the images and install trees in the cache
 * ({@link ImageSource#changes}: a pull that ended, say one that found an ELF vmlinux, counts at once),
 * the machine as the request names it (MAC, firmware, the address it reached us at), its boot-once
 * state (a key, read per request as before) and its capability, which is the same for every plan of
 * the second ({@link Capabilities#second}). What the key leaves out, a loader's or kernel file's
 * presence on disk, is at most as old as the second: the answer is the one a request a moment
 * earlier got.
 *
 * <p>Only the current second's scripts are kept: a flood of made-up MACs holds at most a second's worth.
 */
final class ScriptCache {

    /** The scripts of one snapshot, image cache and second. */
    private record Generation(ConfigSnapshot snapshot, long images, long second,
            ConcurrentHashMap<Key, IpxeScript> scripts) {

        boolean of(ConfigSnapshot snapshot, long images, long second) {
            return this.snapshot == snapshot && this.images == images && this.second == second;
        }
    }

    /** What a script of a snapshot's second is rendered from besides the config. */
    private record Key(Machine machine, boolean installed) {
    }

    private final AtomicReference<Generation> current = new AtomicReference<>(
            new Generation(null, Long.MIN_VALUE, Long.MIN_VALUE, new ConcurrentHashMap<>()));

    /**
     * The script of {@code machine}, rendered by {@code render} unless it was already within this
     * second of this snapshot and image cache. A render that throws is not kept: the next request
     * plans again.
     *
     * @param images    {@link ImageSource#changes}, read before the render
     * @param installed the boot-once state the script is rendered with
     */
    IpxeScript get(ConfigSnapshot snapshot, long images, long second, Machine machine, boolean installed,
            Supplier<IpxeScript> render) {
        Generation g = current.get();
        if (!g.of(snapshot, images, second)) {
            Generation fresh = new Generation(snapshot, images, second, new ConcurrentHashMap<>());
            g = current.compareAndSet(g, fresh) ? fresh : current.get();
            if (!g.of(snapshot, images, second)) {
                return render.get(); // another request moved on meanwhile (a reload, the next second)
            }
        }
        Key key = new Key(machine, installed);
        IpxeScript script = g.scripts().get(key);
        if (script == null) {
            script = render.get();
            g.scripts().putIfAbsent(key, script);
        }
        return script;
    }
}
