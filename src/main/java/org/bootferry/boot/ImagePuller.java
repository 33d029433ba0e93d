package org.bootferry.boot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.image.Descriptor;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageException;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.PullListener;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeListener;
import org.bootferry.image.TreeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets each boot file request wait for its image pull only so long: a machine whose firmware gives
 * up on a slow HTTP answer gets a clear error in time, while the pull goes on (on the resolver's
 * threads) and the next boot finds the files. Requests for one image share one pull through the
 * resolver's single flight, so a thousand waiting machines hold a thousand waits, not a thousand
 * pulls; each answer or pull is counted once, by the request that started it.
 */
final class ImagePuller implements ImageSource {

    private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

    private final ImageResolver resolver;
    /** By result ({@code cache}, {@code pulled}, {@code failed}): registered once, counted per answer. */
    private final Map<String, Outcome> outcomes;
    private final Counter pulledBytes;
    private final Prefetch prefetch;
    /** {@link #changes}: pulls and fetches ended. */
    private final AtomicLong ended = new AtomicLong();

    private record Outcome(Counter resolves, Timer duration) {
        void record(long started) {
            resolves.increment();
            duration.record(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * From a cache hit (well under a second) through a small image on the LAN (seconds) to a
     * multi-GB installer image from a far registry (tens of minutes): 100 ms to 30 min.
     */
    static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30)};

    ImagePuller(ImageResolver resolver, MeterRegistry registry) {
        this.resolver = resolver;
        this.outcomes = Map.of("cache", outcome(registry, "cache"), "pulled", outcome(registry, "pulled"),
                "failed", outcome(registry, "failed"));
        this.pulledBytes = registry.counter("bootferry_image_pulled_bytes");
        this.prefetch = new Prefetch((request, progress) -> resolver.resolveAsync(request, counted(request, progress)));
    }

    @Override
    public Optional<Prefetch> prefetch() {
        return Optional.of(prefetch);
    }

    private static Outcome outcome(MeterRegistry registry, String result) {
        return new Outcome(registry.counter("bootferry_image_resolves", "result", result),
                Timer.builder("bootferry_image_pull_duration").description("Image resolves: cache hits, pulls, failures")
                        .serviceLevelObjectives(BUCKETS).tag("result", result).register(registry));
    }

    @Override
    public long changes() {
        return ended.get();
    }

    /** What the cache alone says the request gives; never contacts the registry. */
    @Override
    public Optional<ImageBootFiles> cached(ImageRequest request) {
        return resolver.cached(request);
    }

    /**
     * The request's files, no later than {@code timeout}, from a pull started here or joined when one is
     * running; the pull outlives the wait, which holds no thread ({@link CompletableFuture#orTimeout}
     * uses the JDK's one delay thread).
     */
    @Override
    public CompletableFuture<ImageBootFiles> pull(ImageRequest request, Duration timeout) {
        PullListener logged = new PullListener() {
            @Override
            public void failed(Exception cause) {
                log.warn("image {} for {}: {}", request.image(), request.platform(), cause.getMessage());
            }
        };
        return within(resolver.resolveAsync(request, counted(request, logged)), timeout, "pull of " + request.image());
    }

    /** What the cache alone says the install tree gives; never contacts the mirror. */
    @Override
    public Optional<TreeBootFiles> cached(TreeRequest request) {
        return resolver.trees().cached(request);
    }

    /**
     * The install tree's files, no later than {@code timeout}, from a fetch started here or joined; the
     * fetch outlives the wait, which holds no thread. Counted as image resolves are.
     */
    @Override
    public CompletableFuture<TreeBootFiles> fetch(TreeRequest request, Duration timeout) {
        long started = System.nanoTime();
        TreeListener counted = new TreeListener() {
            @Override
            public void finished(TreeBootFiles files) {
                ended.incrementAndGet();
                pulledBytes.increment(files.bytesRead());
                outcomes.get(files.fromCache() ? "cache" : "pulled").record(started);
            }

            @Override
            public void failed(Exception cause) {
                ended.incrementAndGet();
                log.warn("install tree {} for {}: {}", request.location(), request.platform(), cause.getMessage());
                outcomes.get("failed").record(started);
            }
        };
        return within(resolver.trees().resolveAsync(request, counted), timeout, "fetch of " + request.location());
    }

    /**
     * This request's wait for a shared fetch: a copy, so that its timeout ends only this wait, failing
     * with an {@link IOException} that says what to fix or names the timeout and its setting.
     */
    private static <T> CompletableFuture<T> within(CompletableFuture<T> shared, Duration timeout, String what) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        shared.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((files, failure) -> {
            if (failure == null) {
                answer.complete(files);
            } else {
                answer.completeExceptionally(explained(what, timeout, failure));
            }
        });
        return answer;
    }

    private static IOException explained(String what, Duration timeout, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return new IOException(what + " did not finish within " + timeout.toSeconds()
                    + " s (server.yaml images.pullTimeout); it goes on, so a later boot will find it");
        }
        return new IOException(cause instanceof ImageException ? cause.getMessage() : cause.toString(), cause);
    }

    /**
     * Counts {@code bootferry_image_resolves{result}}, the bytes pulled, and the time from the call
     * to its answer ({@code bootferry_image_pull_duration_seconds{result}}) for the call that does the work.
     *
     * @param progress told of the layers read, the bytes received and a failure, as the pull goes: a
     *                 boot's logs its failure, the prefetch's its own once a minute
     */
    private PullListener counted(ImageRequest request, PullListener progress) {
        long started = System.nanoTime();
        return new PullListener() {
            @Override
            public void layerStarted(int index, int count, Descriptor layer) {
                progress.layerStarted(index, count, layer);
            }

            @Override
            public void progress(Descriptor blob, long received) {
                progress.progress(blob, received);
            }

            @Override
            public void finished(ImageBootFiles files) {
                ended.incrementAndGet();
                pulledBytes.increment(files.stats().bytesRead());
                outcomes.get(files.stats().fromCache() ? "cache" : "pulled").record(started);
                prefetch.pulled(request);
            }

            @Override
            public void failed(Exception cause) {
                ended.incrementAndGet();
                progress.failed(cause);
                outcomes.get("failed").record(started);
            }
        };
    }
}
