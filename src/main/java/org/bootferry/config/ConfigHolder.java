package org.bootferry.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config in force: one immutable {@link ConfigSnapshot}, swapped atomically when files under the
 * config directory change. A WatchService reports edits as they happen; a periodic rescan catches
 * what it misses (network filesystems, ConfigMap symlink swaps, overflow). A file with an error
 * never takes effect: its last good version stays in force and the error is logged once.
 */
public final class ConfigHolder implements Supplier<ConfigSnapshot>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigHolder.class);
    /**
     * A file is taken once it has stopped changing: no event about it (inotify reports every write)
     * and no change of size or modification time for this long. Editors write in several steps, a
     * copy over a slow link in many; a version caught between two writes may parse and would
     * otherwise become the last good one.
     */
    private static final Duration QUIET = Duration.ofMillis(250);
    /** A file written without pause for longer is read anyway; the loader refuses it if it changes while read. */
    private static final Duration MAX_SETTLE = Duration.ofSeconds(10);
    /** The first wait before trying again after a reload failed; it doubles up to the rescan interval. */
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** How often a check across files may reject files before the reload gives up on finding more. */
    private static final int MAX_REJECT_ROUNDS = 5;

    private final ConfigLoader loader;
    private final BiFunction<ConfigSnapshot, ConfigSnapshot, List<ConfigError>> checker;
    private final AtomicReference<ConfigSnapshot> current;
    /** Added while the watcher may be calling them (a server starting under a live config). */
    private final List<Consumer<Reload>> listeners = new CopyOnWriteArrayList<>();
    private Set<ConfigError> reported = Set.of();
    private long fingerprint;
    /** The edits of the latest load that wait for a restart: logged as such, not as errors. */
    private Set<ConfigError> restartNotices = Set.of();
    /** Why the config on disk can't be put in force now (a reload failed), null while it can. */
    private volatile String failure;
    private volatile boolean closed;
    private volatile Duration quiet = QUIET;
    private WatchService watcher;
    private Thread thread;

    /** What one reload did: the snapshot now in force, its errors, and how long it took. */
    public record Reload(ConfigSnapshot snapshot, List<ConfigError> errors, Duration took) {
    }

    /**
     * @param initial the snapshot to start with, the latest {@code loader} loaded, checked
     * @param checker finds errors that show only when files meet (an unknown template variable) in
     *                its first argument; the second is the snapshot in force, which passed it
     */
    public ConfigHolder(ConfigLoader loader, ConfigSnapshot initial,
            BiFunction<ConfigSnapshot, ConfigSnapshot, List<ConfigError>> checker) {
        this.loader = loader;
        this.checker = checker;
        this.current = new AtomicReference<>(initial);
        loader.commit();
        this.reported = new HashSet<>(initial.errors());
        this.fingerprint = fingerprint(loader.dir());
    }

    @Override
    public ConfigSnapshot get() {
        return current.get();
    }

    /**
     * Why edits on disk do not take effect now: the last reload failed (out of memory, an unreadable
     * directory) and is being retried; empty while reloads succeed. The server is not ready then:
     * it would keep booting machines with config that is no longer what the files say.
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Called after every reload, on the watcher thread. */
    public void onReload(Consumer<Reload> listener) {
        listeners.add(listener);
    }

    /** Reads the whole directory again and puts the result in force. */
    public Reload reload() {
        return reload(null);
    }

    /**
     * Reads again what changed and puts the result in force.
     *
     * @param changed the paths a watch event named; null for everything
     */
    public synchronized Reload reload(Set<Path> changed) {
        long start = System.nanoTime();
        ConfigSnapshot next = load(changed);
        Set<ConfigError> errors = new LinkedHashSet<>(next.errors());
        for (int round = 0; round < MAX_REJECT_ROUNDS; round++) {
            List<ConfigError> found = checker.apply(next, current.get());
            if (found.isEmpty()) {
                break;
            }
            found.forEach(loader::reject);
            errors.addAll(found);
            next = load(changed);
        }
        loader.commit();
        ConfigSnapshot old = current.getAndSet(next);
        Reload reload = new Reload(current.get(), List.copyOf(errors), Duration.ofNanos(System.nanoTime() - start));
        report(old, reload);
        listeners.forEach(l -> l.accept(reload));
        return reload;
    }

    /**
     * The directory as it is now, but with the running values of the {@link RestartKeys}: an edit
     * to one of them is listed among the errors, as a notice that it waits for the next start.
     */
    private ConfigSnapshot load(Set<Path> changed) {
        ConfigSnapshot loaded = changed == null ? loader.load() : loader.load(changed);
        ServerSettings running = current.get().settings();
        List<ConfigError> errors = new ArrayList<>(loaded.errors());
        List<ConfigError> notices = new ArrayList<>(RestartKeys.pending(running, loaded.settings()).stream()
                .map(edit -> edit.error(loader.dir())).toList());
        ServerSettings settings = RestartKeys.keepRunning(loaded.settings(), running);
        Optional<RestartKeys.Pending> weakened = RestartKeys.weakenedApi(running, loaded.settings());
        if (weakened.isPresent()) {
            notices.add(weakened.get().error(loader.dir()));
            settings = settings.withApi(running.api());
        }
        errors.addAll(notices);
        restartNotices = Set.copyOf(notices);
        return new ConfigSnapshot(loaded.dir(), settings, loaded.machines(), loaded.rules(), loaded.defaultMachine(),
                loaded.profiles(), loaded.templates(), errors, loaded.warnings());
    }

    private void report(ConfigSnapshot old, Reload reload) {
        Set<ConfigError> now = new HashSet<>(reload.errors());
        for (ConfigError e : reload.errors()) {
            if (reported.contains(e)) {
                continue;
            }
            if (restartNotices.contains(e)) {
                log.warn("{}", e);
            } else {
                log.warn("{} (the file's last good version, if any, stays in force)", e);
            }
        }
        for (ConfigError e : reported) {
            if (!now.contains(e)) {
                log.info("fixed: {}", e.file());
            }
        }
        reported = now;
        // A warning (a VM spec's field that can't be honoured) once, when it first shows.
        reload.snapshot().warnings().stream().filter(w -> !old.warnings().contains(w)).forEach(w -> log.warn("warning: {}", w));
        log.info("config reloaded in {} ms: {} machines, {} profiles, {} templates, {} errors",
                reload.took().toMillis(), reload.snapshot().machines().size(), reload.snapshot().profiles().size(),
                reload.snapshot().templates().size(), reload.errors().size());
        if (old.machines().size() != reload.snapshot().machines().size()) {
            log.info("machines: {} -> {}", old.machines().size(), reload.snapshot().machines().size());
        }
    }

    /** Starts watching the directory; {@code rescan} is the safety-net interval. */
    public void watch(Duration rescan) throws IOException {
        watch(rescan, QUIET);
    }

    /**
     * Starts watching the directory.
     *
     * @param rescan the safety-net interval
     * @param quiet  how long a file must not change before it is taken
     */
    public synchronized void watch(Duration rescan, Duration quiet) throws IOException {
        watcher = FileSystems.getDefault().newWatchService();
        registerTree(loader.dir());
        this.quiet = quiet;
        thread = new Thread(() -> run(rescan), "bootferry-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Duration rescan) {
        Duration retry = FIRST_RETRY;
        boolean failed = false;
        while (!closed) {
            try {
                if (failed) {
                    Thread.sleep(retry.toMillis());
                    retry = min(retry.multipliedBy(2), rescan);
                    registerTree(loader.dir());
                    fingerprint = fingerprint(loader.dir());
                    reload();
                } else {
                    watchOnce(rescan);
                }
                failed = false;
                failure = null;
                retry = FIRST_RETRY;
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (Throwable e) {
                // Anything, an OutOfMemoryError too: the thread must outlive it, or no later edit
                // would ever apply. The config in force stays; /readyz says why until a retry works.
                failed = true;
                failure = "config reload failed: " + e + "; the config in force stays, retrying";
                try {
                    log.error("{} in {} s", failure, retry.toSeconds());
                } catch (Throwable ignored) {
                    // Logging can fail too when memory ran out; the retry does not depend on it.
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Waits for an event or the rescan interval, then applies what changed once it has settled. */
    private void watchOnce(Duration rescan) throws InterruptedException, IOException {
        WatchKey key = watcher.poll(rescan.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
            Set<Path> changed = settled(key);
            if (changed == null || changed.stream().anyMatch(Files::isDirectory)) {
                registerTree(loader.dir());
                changed = null;
            }
            reload(changed);
            return;
        }
        long now = fingerprint(loader.dir());
        if (now != fingerprint) {
            fingerprint = stableFingerprint(now);
            registerTree(loader.dir());
            reload();
        }
    }

    /**
     * The paths the pending events name, once no event has come for the quiet time; null when events
     * were lost (overflow): then read everything.
     */
    private Set<Path> settled(WatchKey first) throws InterruptedException {
        Set<Path> changed = new HashSet<>();
        boolean lost = !drain(first, changed);
        long deadline = System.nanoTime() + MAX_SETTLE.toNanos();
        for (WatchKey more = watcher.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
                more != null && System.nanoTime() < deadline;
                more = watcher.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) {
            lost |= !drain(more, changed);
        }
        return lost ? null : changed;
    }

    /** For a change the rescan found (no events: a network filesystem): the fingerprint once it holds for the quiet time. */
    private long stableFingerprint(long seen) throws InterruptedException {
        long deadline = System.nanoTime() + MAX_SETTLE.toNanos();
        long previous = seen;
        while (System.nanoTime() < deadline) {
            Thread.sleep(quiet.toMillis());
            long now = fingerprint(loader.dir());
            if (now == previous) {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /** Adds the paths the key's events name to {@code changed}; false when events were lost. */
    private boolean drain(WatchKey first, Set<Path> changed) {
        boolean lost = false;
        for (WatchKey key = first; key != null; key = watcher.poll()) {
            Path watched = (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == OVERFLOW) {
                    lost = true;
                } else {
                    changed.add(watched.resolve((Path) event.context()));
                }
            }
            if (!key.reset()) {
                lost = true; // the directory itself went away
            }
        }
        return !lost;
    }

    private void registerTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> dirs = Files.walk(dir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                d.register(watcher, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
            }
        }
    }

    /** A cheap summary of every file's path, size and modification time: equal means nothing changed. */
    static long fingerprint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long hash = 17;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                hash = 31 * hash + p.hashCode();
                hash = 31 * hash + a.size();
                hash = 31 * hash + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
            }
        } catch (IOException e) {
            return hash ^ e.hashCode();
        }
        return hash;
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // Closing a watch service frees its inotify handle; nothing else to do on failure.
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
