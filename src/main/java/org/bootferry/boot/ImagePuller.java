package org.bootferry.boot;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageException;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.ImageResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs image pulls for boot file requests on threads of its own and lets each request wait for its
 * pull only so long: a machine whose firmware gives up on a slow HTTP answer gets a clear error in
 * time, while the pull goes on and the next boot finds the files. Requests for one image share one
 * pull, so a thousand waiting machines hold a thousand waits, not a thousand pulls.
 */
final class ImagePuller implements ImageSource {

    private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

    private final ImageResolver resolver;
    private final MeterRegistry registry;
    private final ExecutorService pulls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bootferry-pull");
        t.setDaemon(true); // a pull in progress never holds up shutdown: the cache takes only finished files
        return t;
    });
    private final Map<ImageRequest, CompletableFuture<ImageBootFiles>> running = new ConcurrentHashMap<>();

    ImagePuller(ImageResolver resolver, MeterRegistry registry) {
        this.resolver = resolver;
        this.registry = registry;
    }

    /** What the cache alone says the request gives; never contacts the registry. */
    @Override
    public Optional<ImageBootFiles> cached(ImageRequest request) {
        return resolver.cached(request);
    }

    /**
     * The request's files, waiting at most {@code timeout} for a pull (started here, or joined when one
     * is running); the pull outlives the wait.
     *
     * @throws IOException with the resolver's message (what to fix), or naming the timeout and its setting
     */
    @Override
    public ImageBootFiles await(ImageRequest request, Duration timeout) throws IOException {
        CompletableFuture<ImageBootFiles> pull = pull(request);
        try {
            return pull.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("pull of " + request.image() + " did not finish within " + timeout.toSeconds()
                    + " s (server.yaml images.pullTimeout); it goes on, so a later boot will find it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the pull of " + request.image());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(cause instanceof ImageException ? cause.getMessage() : cause.toString(), cause);
        }
    }

    private CompletableFuture<ImageBootFiles> pull(ImageRequest request) {
        CompletableFuture<ImageBootFiles> mine = new CompletableFuture<>();
        CompletableFuture<ImageBootFiles> other = running.putIfAbsent(request, mine);
        if (other != null) {
            return other;
        }
        // Started only once it is in the map, so that its removal below can never come first.
        pulls.execute(() -> {
            try {
                ImageBootFiles files = resolver.resolve(request);
                registry.counter("bootferry_image_resolves", "result", files.stats().fromCache() ? "cache" : "pulled")
                        .increment();
                registry.counter("bootferry_image_pulled_bytes").increment(files.stats().bytesRead());
                mine.complete(files);
            } catch (ImageException | RuntimeException e) {
                log.warn("image {} for {}: {}", request.image(), request.platform(), e.getMessage());
                registry.counter("bootferry_image_resolves", "result", "failed").increment();
                mine.completeExceptionally(e);
            } finally {
                running.remove(request, mine);
            }
        });
        return mine;
    }
}
