package org.bootferry.image;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.bootferry.kernel.KernelFiles;
import org.bootferry.kernel.KernelFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Install trees ({@code kernelBoot.location}) as a source of boot files, with the image pull semantics:
 * the pull policy against the cache, one fetch per tree and platform however many machines boot it
 * ({@link SingleFlight}), files verified against the tree's checksums before they are kept, stored in
 * the same content-addressed {@link ImageCache} as image files and pinned while in use, and with
 * Always, a mirror that is down answered from the cache when {@code staleOk} allows. A record per tree
 * and platform ({@code records/trees/}) keeps what the tree gave, so that a restarted server answers
 * IfNotPresent and Never without the mirror. Made by {@link ImageResolver#trees()}.
 */
public final class TreeResolver {

    private static final Logger LOG = LoggerFactory.getLogger(TreeResolver.class);

    /** What a tree gave for a platform, by the digests of its files. */
    record TreeRecord(String location, String platform, String layout, FileRecord kernel, FileRecord initrd,
            String repoUrl, KernelFormat kernelFormat, long fetchedAtMillis) {
    }

    record FileRecord(String treePath, String url, String digest, long size, boolean verified) {

        static FileRecord of(TreeFile f) {
            return new FileRecord(f.treePath(), f.url().toString(), f.digest().toString(), f.size(), f.verified());
        }

        Optional<TreeFile> file(ImageCache cache) {
            Digest d = Digest.parseOrNull(digest);
            return d == null ? Optional.empty()
                    : cache.blob(d).map(p -> new TreeFile(treePath, URI.create(url), p, d, size, verified));
        }
    }

    private final ImageCache cache;
    private final Supplier<ImageSettings> settings;
    private final Executor pulls;
    private final TreeClient client;
    private final SingleFlight<TreeRequest, TreeBootFiles> flights = new SingleFlight<>();
    private final Map<TreeRequest, TreeBootFiles> warm = new ConcurrentHashMap<>();
    private final Map<TreeRequest, List<ImageCache.Pin>> inUse = new ConcurrentHashMap<>();

    TreeResolver(ImageCache cache, Supplier<ImageSettings> settings, Executor pulls) {
        this.cache = cache;
        this.settings = settings;
        this.pulls = pulls;
        this.client = new TreeClient(settings);
    }

    /** Blocks until the files are on disk (or it is clear they can't be), fetching here or joining the fetch in progress. */
    public TreeBootFiles resolve(TreeRequest request, TreeListener listener) throws ImageException {
        return SingleFlight.join(flight(request, listener, Runnable::run));
    }

    /** The same on the resolver's threads, for a boot that waits with a deadline of its own. */
    public CompletableFuture<TreeBootFiles> resolveAsync(TreeRequest request, TreeListener listener) {
        return flight(request, listener, pulls);
    }

    /** What this host's cache alone says the tree gives; never contacts the mirror. */
    public Optional<TreeBootFiles> cached(TreeRequest request) {
        TreeBootFiles known = warm.get(request);
        if (known != null && stillCached(known)) {
            return Optional.of(known);
        }
        return fromRecord(request);
    }

    private CompletableFuture<TreeBootFiles> flight(TreeRequest request, TreeListener listener, Executor runner) {
        if (request.pullPolicy() != PullPolicy.ALWAYS) {
            TreeBootFiles known = warm.get(request);
            if (known != null && stillCached(known)) {
                TreeBootFiles answer = known.withCall(false, List.of(), 0, Duration.ZERO, true);
                listener.finished(answer);
                return CompletableFuture.completedFuture(answer);
            }
        }
        return flights.run(request, runner, () -> fetch(request, listener), "install tree " + request.location());
    }

    private TreeBootFiles fetch(TreeRequest request, TreeListener listener) throws ImageException {
        List<ImageCache.Pin> committing = new ArrayList<>();
        try {
            TreeBootFiles result = resolveNow(request, listener, committing);
            remember(request, result);
            listener.finished(result);
            return result;
        } catch (ImageException | RuntimeException e) {
            listener.failed(e);
            throw e;
        } finally {
            committing.forEach(ImageCache.Pin::close);
        }
    }

    private TreeBootFiles resolveNow(TreeRequest request, TreeListener listener, List<ImageCache.Pin> committing)
            throws ImageException {
        long started = System.nanoTime();
        Optional<TreeBootFiles> known = fromRecord(request);
        if (request.pullPolicy() == PullPolicy.NEVER || request.pullPolicy() == PullPolicy.IF_NOT_PRESENT
                && known.isPresent()) {
            return known.orElseThrow(() -> new ImageException("install tree " + request.location() + " is not cached"
                    + " for " + request.platform() + " and its pull policy is Never: run 'bootferry pull --location "
                    + request.location() + "' or use IfNotPresent")).withCall(false, List.of(), 0, Duration.ZERO, true);
        }
        TreeLayout layout;
        try {
            layout = TreeLayout.read(client, request.location(), request.platform());
        } catch (MirrorUnreachableException e) {
            if (known.isEmpty() || !settings.get().staleOk()) {
                throw e;
            }
            String warning = "mirror unreachable, booting the cached files " + request.location() + " gave at "
                    + Instant.ofEpochMilli(record(request).map(TreeRecord::fetchedAtMillis).orElse(0L)) + " ("
                    + e.getMessage() + ")";
            listener.warning(warning);
            LOG.warn(warning);
            return known.get().withCall(true, List.of(warning), 0, Duration.ofNanos(System.nanoTime() - started), false);
        }
        List<String> warnings = new ArrayList<>();
        long[] bytes = {0};
        TreeFile[] files = new TreeFile[2];
        List<TreeClient.Download> downloads = new ArrayList<>();
        try {
            String[] paths = {layout.kernelPath(), layout.initrdPath()};
            List<Optional<Digest>> sums = List.of(layout.kernelSum(), layout.initrdSum());
            for (int i = 0; i < 2; i++) {
                URI url = request.location().resolve(paths[i]);
                Optional<Digest> sum = sums.get(i);
                Optional<java.nio.file.Path> have = sum.flatMap(cache::blob);
                if (have.isPresent()) { // the tree names bytes this cache holds already: nothing to fetch
                    committing.add(cache.pin(sum.get()));
                    files[i] = new TreeFile(paths[i], url, have.get(), sum.get(), Files.size(have.get()), true);
                    continue;
                }
                String what = i == 0 ? "kernel" : "initrd";
                listener.fetching(what, url);
                TreeClient.Download d = client.download(url, cache.tempDir(), n -> listener.progress(what, n));
                downloads.add(d);
                bytes[0] += d.size();
                if (sum.isPresent() && !sum.get().equals(d.digest())) {
                    throw new TreeChecksumException(url, layout.layout(), sum.get(), d.digest());
                }
                if (sum.isEmpty()) {
                    String warning = url + " is unverified: the tree publishes no checksum for it";
                    warnings.add(warning);
                    listener.warning(warning);
                }
                files[i] = new TreeFile(paths[i], url, d.temp(), d.digest(), d.size(), sum.isPresent());
            }
            // Both verified: only now does anything enter the cache.
            for (int i = 0; i < 2; i++) {
                if (files[i].path().startsWith(cache.tempDir())) {
                    committing.add(cache.pin(files[i].digest())); // before the commit, whose eviction must not take it
                    TreeFile f = files[i];
                    files[i] = new TreeFile(f.treePath(), f.url(), cache.commit(f.path(), f.digest()), f.digest(),
                            f.size(), f.verified());
                }
            }
            downloads.clear();
        } catch (IOException e) {
            throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
        } finally {
            for (TreeClient.Download d : downloads) {
                try {
                    Files.deleteIfExists(d.temp());
                } catch (IOException ignored) {
                    // swept at the cache's next start
                }
            }
        }
        KernelFormat format;
        try {
            format = KernelFiles.read(files[0].path());
        } catch (IOException e) {
            throw new ImageException("cached kernel " + files[0].path() + ": " + e.getMessage(), e);
        }
        TreeBootFiles result = new TreeBootFiles(request.location(), request.platform(), layout.layout(), files[0],
                format, files[1], layout.repoUrl(), false, warnings, bytes[0],
                Duration.ofNanos(System.nanoTime() - started), false);
        try {
            cache.writeRecord("trees", key(request), new TreeRecord(request.location().toString(),
                    request.platform().toString(), layout.layout(), FileRecord.of(files[0]), FileRecord.of(files[1]),
                    layout.repoUrl().toString(), format, System.currentTimeMillis()));
        } catch (IOException e) {
            throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
        }
        return result;
    }

    private static String key(TreeRequest request) {
        return request.location() + "|" + request.platform();
    }

    private Optional<TreeRecord> record(TreeRequest request) {
        return cache.readRecord("trees", key(request), TreeRecord.class);
    }

    /** The record's answer when both its files are still cached. */
    private Optional<TreeBootFiles> fromRecord(TreeRequest request) {
        return record(request).flatMap(r -> r.kernel().file(cache).flatMap(k -> r.initrd().file(cache).map(i ->
                new TreeBootFiles(request.location(), request.platform(), r.layout(), k, r.kernelFormat(), i,
                        URI.create(r.repoUrl()), false, List.of(), 0, Duration.ZERO, true))));
    }

    private boolean stillCached(TreeBootFiles files) {
        return Files.exists(files.kernel().path()) && Files.exists(files.initrd().path());
    }

    /** Pins the answer's files (and unpins the previous answer's) so eviction never takes files in use. */
    private void remember(TreeRequest request, TreeBootFiles result) {
        List<ImageCache.Pin> pins = List.of(cache.pin(result.kernel().digest()), cache.pin(result.initrd().digest()));
        List<ImageCache.Pin> old = inUse.put(request, pins);
        if (old != null) {
            old.forEach(ImageCache.Pin::close);
        }
        warm.put(request, result);
    }

    void close() {
        client.close();
    }
}
