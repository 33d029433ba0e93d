package org.bootferry.image;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.image.CacheRecords.PlanRecord;
import org.bootferry.image.CacheRecords.TagRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point of {@code image/}: turns an {@link ImageRequest} into kernel and initrd files on
 * local disk. It applies the pull policy against the cache, resolves tag → index → platform manifest,
 * reads only the layers that hold the wanted files, caches them by digest and pins the files of the
 * latest answer to each request. Concurrent calls for the same request share one pull, whether they
 * wait ({@link #resolve}) or take a future ({@link #resolveAsync}): this is the one single-flight guard.
 */
public final class ImageResolver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageResolver.class);

    private volatile ImageSettings settings;
    private final ImageCache cache;
    private final RegistryClient client;
    private final TreeResolver trees;
    private final SingleFlight<ImageRequest, ImageBootFiles> flights = new SingleFlight<>();
    private final Map<ImageRequest, ImageBootFiles> warm = new ConcurrentHashMap<>();
    private final Map<ImageRequest, List<ImageCache.Pin>> inUse = new ConcurrentHashMap<>();
    private final ExecutorService pulls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bootferry-pull");
        t.setDaemon(true); // a pull in progress never holds up shutdown: the cache takes only finished files
        return t;
    });

    public ImageResolver(ImageSettings settings) throws IOException {
        this.settings = settings;
        this.cache = new ImageCache(settings.cacheDir(), settings.cacheLimitBytes());
        this.client = new RegistryClient(settings);
        this.trees = new TreeResolver(cache, this::settings, pulls);
    }

    /** Install trees ({@code kernelBoot.location}), in this resolver's cache, on its threads, with its settings. */
    public TreeResolver trees() {
        return trees;
    }

    /** The settings in force. */
    public ImageSettings settings() {
        return settings;
    }

    /**
     * Puts settings that may change while the server runs in force for the next pull: the cache
     * limit, staleOk and the insecure registries. The cache directory and the client's timeouts stay
     * as this resolver was opened with.
     */
    public void settings(ImageSettings next) {
        settings = next;
        client.settings(next);
        cache.limit(next.cacheLimitBytes());
    }

    /** For tests in this package only: the eviction test fills the cache past its limit and evicts. */
    ImageCache cache() {
        return cache;
    }

    /**
     * Blocks until the files are on disk (or it is clear they can't be), pulling on the calling thread
     * or joining the pull in progress for the same request.
     */
    public ImageBootFiles resolve(ImageRequest request, PullListener listener) throws ImageException {
        return SingleFlight.join(flight(request, listener, Runnable::run));
    }

    /**
     * The same on the resolver's own threads, for callers that wait with a deadline of their own: a
     * boot whose firmware would give up gets an answer in time, while the pull goes on and the next
     * boot finds the files.
     */
    public CompletableFuture<ImageBootFiles> resolveAsync(ImageRequest request, PullListener listener) {
        return flight(request, listener, pulls);
    }

    /**
     * The single flight: the latest answer when still good, else the pull in progress for the request,
     * else a pull started on {@code runner}, so a thousand boots of one image wait for one pull. Only
     * the call that answers or starts the pull tells its listener; calls that join hear nothing.
     */
    private CompletableFuture<ImageBootFiles> flight(ImageRequest request, PullListener listener, Executor runner) {
        if (request.pullPolicy() != PullPolicy.ALWAYS) {
            ImageBootFiles known = warm.get(request);
            if (known != null && stillCached(known)) {
                ImageBootFiles answer = known.withCall(false, List.of(), new ImageBootFiles.PullStats(
                        known.stats().layers(), 0, 0, Duration.ZERO, true));
                listener.finished(answer);
                return CompletableFuture.completedFuture(answer);
            }
        }
        return flights.run(request, runner, () -> pull(request, listener), "image " + request.image());
    }

    private ImageBootFiles pull(ImageRequest request, PullListener listener) throws ImageException {
        List<ImageCache.Pin> committing = new ArrayList<>();
        try {
            ImageBootFiles result = resolveNow(request, listener, committing);
            remember(request, result);
            listener.finished(result); // before the waiters wake, so what it counts is there when they look
            return result;
        } catch (ImageException | RuntimeException e) {
            listener.failed(e);
            throw e;
        } finally {
            committing.forEach(ImageCache.Pin::close);
        }
    }

    /**
     * What the request gives from this host's cache alone: the latest answer to it, or what the cache
     * records say its reference resolved to last. Never contacts the registry, reads no pull secret and
     * pins nothing, so planners may ask on every DHCP packet. Empty when not cached.
     */
    public Optional<ImageBootFiles> cached(ImageRequest request) {
        ImageBootFiles known = warm.get(request);
        if (known != null && stillCached(known)) {
            return Optional.of(known);
        }
        ImageRequest offline = new ImageRequest(request.image(), request.kernelPath(), request.initrdPath(),
                PullPolicy.NEVER, request.platform(), Optional.empty(), Optional.empty());
        try {
            return Optional.of(resolveNow(offline, PullListener.NONE, new ArrayList<>()));
        } catch (ImageException e) {
            return Optional.empty();
        }
    }

    private boolean stillCached(ImageBootFiles files) {
        return Files.exists(files.kernel().path()) && files.initrd().map(f -> Files.exists(f.path())).orElse(true)
                && files.kickstart().map(f -> Files.exists(f.path())).orElse(true);
    }

    /** Pins the answer's files (and unpins the previous answer's) so eviction never takes files in use. */
    private void remember(ImageRequest request, ImageBootFiles result) {
        List<ImageCache.Pin> pins = new ArrayList<>();
        pins.add(cache.pin(result.kernel().digest()));
        result.initrd().ifPresent(f -> pins.add(cache.pin(f.digest())));
        result.kickstart().ifPresent(f -> pins.add(cache.pin(f.digest())));
        List<ImageCache.Pin> old = inUse.put(request, pins);
        if (old != null) {
            old.forEach(ImageCache.Pin::close);
        }
        warm.put(request, result);
    }

    /** @param committing pins of files committed by this call, held until the answer is remembered (and pinned) */
    private ImageBootFiles resolveNow(ImageRequest request, PullListener listener, List<ImageCache.Pin> committing)
            throws ImageException {
        long started = System.nanoTime();
        ImageReference ref = ImageReference.parse(request.image());
        Credentials credentials = credentials(request, ref);
        Platform platform = request.platform();
        String tagKey = ref + "|" + platform;
        Optional<TagRecord> known = cache.readRecord("tags", tagKey, TagRecord.class);
        AtomicLong bytes = new AtomicLong();
        List<String> warnings = new ArrayList<>();
        boolean stale = false;
        boolean contacted = false;
        Digest manifest;
        RegistryUnreachableException unreachable = null;
        if (request.pullPolicy() == PullPolicy.NEVER
                || known.isPresent() && (request.pullPolicy() == PullPolicy.IF_NOT_PRESENT || ref.digest() != null)) {
            // A digest reference names immutable content: even Always has nothing to re-resolve.
            manifest = Digest.parseOrNull(known.orElseThrow(() -> new NotCachedException(ref,
                    "its tag was never resolved for " + platform + " here")).manifest());
        } else {
            try {
                contacted = true;
                manifest = resolveTag(ref, platform, credentials, listener, bytes);
                cache.writeRecord("tags", tagKey, new TagRecord(ref.toString(), platform.toString(), manifest.toString(),
                        System.currentTimeMillis()));
            } catch (RegistryUnreachableException e) {
                if (known.isEmpty() || !settings.staleOk()) {
                    throw e;
                }
                unreachable = e;
                stale = true;
                manifest = Digest.parseOrNull(known.get().manifest());
                String warning = "registry unreachable, booting the cached " + manifest + " that " + ref
                        + " resolved to at " + Instant.ofEpochMilli(known.get().resolvedAtMillis()) + " (" + e.getMessage()
                        + ")";
                warnings.add(warning);
                listener.warning(warning);
                LOG.warn(warning);
            } catch (IOException e) {
                throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
            }
        }
        Digest resolved = manifest;
        listener.resolved(ref, resolved, platform);
        String planKey = resolved + "|" + request.kernelPath().orElse("") + "|" + request.initrdPath().orElse("");
        Optional<ImageBootFiles> planned = cache.readRecord("plans", planKey, PlanRecord.class)
                .flatMap(plan -> plan.files(cache, ref, resolved, platform));
        int layers = 0;
        int layersRead = 0;
        ImageBootFiles files;
        if (planned.isPresent()) {
            files = planned.get();
        } else {
            if (request.pullPolicy() == PullPolicy.NEVER) {
                throw new NotCachedException(ref, "its boot files were never extracted for " + platform + " here");
            }
            if (unreachable != null) {
                throw unreachable; // the files aren't cached, so the stale resolution can't help
            }
            contacted = true;
            Extraction ex = extract(ref, manifest, platform, request, credentials, listener, bytes, committing);
            files = ex.files();
            layers = ex.layers();
            layersRead = ex.layersRead();
            try {
                cache.writeRecord("plans", planKey, ex.plan());
            } catch (IOException e) {
                throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        return files.withCall(stale, warnings, new ImageBootFiles.PullStats(layers, layersRead, bytes.get(), took,
                !contacted));
    }

    private Credentials credentials(ImageRequest request, ImageReference ref) throws ImageException {
        if (request.credentials().isPresent()) {
            return request.credentials().get();
        }
        if (request.dockerConfig().isPresent()) {
            try {
                return DockerConfigCredentials.load(request.dockerConfig().get()).forRegistry(ref.registry())
                        .orElse(null);
            } catch (IOException e) {
                throw new RegistryAuthenticationException("cannot read the pull secret " + request.dockerConfig().get()
                        + ": " + e.getMessage());
            }
        }
        return null;
    }

    /** Tag (or digest) → the platform's image manifest digest, caching every manifest on the way. */
    private Digest resolveTag(ImageReference ref, Platform platform, Credentials credentials, PullListener listener,
            AtomicLong bytes) throws ImageException {
        RegistryClient.PulledManifest top = client.pullManifest(ref, ref.manifestReference(), credentials, listener);
        bytes.addAndGet(top.body().length);
        store(top);
        if (top.manifest() instanceof Manifest.Image) {
            return top.digest();
        }
        Descriptor chosen = ((Manifest.Index) top.manifest()).forPlatform(ref, platform);
        RegistryClient.PulledManifest child = client.pullManifest(ref, chosen.digest().toString(), credentials,
                listener);
        bytes.addAndGet(child.body().length);
        if (!(child.manifest() instanceof Manifest.Image)) {
            throw new UnsupportedManifestException("index " + top.digest() + " of " + ref + " points to another index"
                    + " for " + platform + "; nested indexes are not supported");
        }
        store(child);
        return child.digest();
    }

    private void store(RegistryClient.PulledManifest m) throws ImageException {
        try {
            cache.putBlob(m.body(), m.digest());
        } catch (IOException e) {
            throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
        }
    }

    private record Extraction(ImageBootFiles files, PlanRecord plan, int layers, int layersRead) {
    }

    private Extraction extract(ImageReference ref, Digest manifestDigest, Platform platform, ImageRequest request,
            Credentials credentials, PullListener listener, AtomicLong bytes, List<ImageCache.Pin> committing)
            throws ImageException {
        Manifest.Image image = imageManifest(ref, manifestDigest, credentials, listener, bytes);
        ImageConfig config = imageConfig(ref, image.config(), credentials, listener, bytes);
        if (!config.architecture().isEmpty()
                && !platform.matches(config.os(), config.architecture(), config.variant())) {
            throw new PlatformNotFoundException(ref, platform,
                    new Platform(config.os(), config.architecture(), config.variant()).toString());
        }
        Map<String, String> labels = config.labels();
        Optional<String> kernelPath = request.kernelPath().or(() -> Optional.ofNullable(labels.get(
                ImageBootFiles.LABEL_KERNEL_PATH)));
        Optional<String> initrdPath = request.initrdPath().or(() -> Optional.ofNullable(labels.get(
                ImageBootFiles.LABEL_INITRD_PATH)));
        Optional<String> kickstartPath = Optional.ofNullable(labels.get(ImageBootFiles.LABEL_KICKSTART_PATH));
        String foundBy = request.kernelPath().isPresent() ? "kernelPath"
                : kernelPath.isPresent() ? "label " + ImageBootFiles.LABEL_KERNEL_PATH : null;
        LayerExtractor.LayerSource source = new LayerExtractor.LayerSource() {
            @Override
            public <T> T read(Descriptor layer, RegistryClient.BlobReader<T> reader) throws ImageException {
                T result = client.pullBlob(ref, layer, credentials, listener, reader);
                bytes.addAndGet(layer.size());
                return result;
            }

            @Override
            public <T> Optional<T> readRange(Descriptor layer, long offset, long length,
                    RegistryClient.BlobReader<T> reader) throws ImageException {
                Optional<T> result = client.pullRange(ref, layer, offset, length, credentials, listener, reader);
                result.ifPresent(r -> bytes.addAndGet(length));
                return result;
            }
        };
        try (LayerExtractor extractor = new LayerExtractor(image.layers(), source, cache.tempDir(), listener,
                pulls)) {
            String kernel;
            Optional<String> initrd = initrdPath;
            if (kernelPath.isPresent()) {
                kernel = kernelPath.get();
            } else {
                extractor.scanAll(BootFileConventions.CANDIDATE);
                BootFileConventions.Choice choice = BootFileConventions.choose(extractor.list()).orElseThrow(
                        () -> new BootFileNotFoundException("image " + ref + " (" + platform + ") has no kernel in a "
                                + "known place (/vmlinux, /usr/lib/modules/<version>/vmlinuz, /boot/vmlinuz-<version>, "
                                + "/boot/vmlinuz, /vmlinuz): set kernelPath"));
                kernel = choice.kernel();
                initrd = initrd.or(choice::initrd);
                foundBy = "convention " + choice.convention();
            }
            List<String> paths = new ArrayList<>();
            paths.add(kernel);
            initrd.ifPresent(paths::add);
            kickstartPath.ifPresent(paths::add);
            Map<String, LayerExtractor.Found> found;
            try {
                found = extractor.extract(paths);
            } catch (BootFileNotFoundException e) {
                throw new BootFileNotFoundException("image " + ref + " (" + platform + "): " + e.getMessage()
                        + " (layers read: " + extractor.layersRead() + " of " + extractor.layerCount() + ")");
            }
            Map<String, ImageFile> committed = new LinkedHashMap<>();
            for (LayerExtractor.Found f : found.values()) {
                committing.add(cache.pin(f.digest())); // before the commit, whose eviction must not take it
                committed.put(f.requested(), commit(f));
            }
            ImageFile k = committed.get(kernel);
            Optional<ImageFile> i = initrd.map(committed::get);
            Optional<ImageFile> ks = kickstartPath.map(committed::get);
            PlanRecord plan = PlanRecord.of(foundBy, k, i, ks, labels);
            return new Extraction(plan.files(ref, manifestDigest, platform, k, i, ks), plan, extractor.layerCount(),
                    extractor.layersRead());
        }
    }

    private ImageFile commit(LayerExtractor.Found f) throws ImageException {
        try {
            java.nio.file.Path path = Files.exists(f.file()) ? cache.commit(f.file(), f.digest())
                    : cache.blob(f.digest()).orElseThrow(() -> new IOException("extracted " + f.resolved() + " vanished"));
            return new ImageFile(f.requested(), f.resolved(), f.layer().digest(), path, f.digest(), f.size());
        } catch (IOException e) {
            throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
        }
    }

    private Manifest.Image imageManifest(ImageReference ref, Digest digest, Credentials credentials,
            PullListener listener, AtomicLong bytes) throws ImageException {
        String where = "manifest " + digest + " of " + ref;
        Manifest m;
        Optional<byte[]> cached = readCached(digest);
        if (cached.isPresent()) {
            m = Manifest.parse(null, cached.get(), where);
        } else {
            RegistryClient.PulledManifest pulled = client.pullManifest(ref, digest.toString(), credentials, listener);
            bytes.addAndGet(pulled.body().length);
            store(pulled);
            m = pulled.manifest();
        }
        if (m instanceof Manifest.Image image) {
            return image;
        }
        throw new UnsupportedManifestException(where + " is an index where an image manifest was expected");
    }

    private ImageConfig imageConfig(ImageReference ref, Descriptor config, Credentials credentials,
            PullListener listener, AtomicLong bytes) throws ImageException {
        Optional<byte[]> cached = readCached(config.digest());
        byte[] body;
        if (cached.isPresent()) {
            body = cached.get();
        } else {
            body = client.pullBlob(ref, config, credentials, listener);
            bytes.addAndGet(body.length);
            try {
                cache.putBlob(body, config.digest());
            } catch (IOException e) {
                throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
            }
        }
        return ImageConfig.parse(body, "config " + config.digest() + " of " + ref);
    }

    private Optional<byte[]> readCached(Digest digest) throws ImageException {
        try {
            return cache.readBlob(digest);
        } catch (IOException e) {
            throw new ImageException("image cache " + cache.dir() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pulls.shutdownNow();
        trees.close();
    }
}
