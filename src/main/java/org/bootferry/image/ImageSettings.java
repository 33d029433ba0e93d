package org.bootferry.image;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Server-wide settings of image pulling.
 *
 * @param cacheDir          the content-addressed cache ({@code --cache DIR})
 * @param cacheLimitBytes   evict least-recently used unpinned files above this size (0 = no limit)
 * @param staleOk           with pull policy Always, boot from the cached resolution when the registry is down
 * @param insecureRegistries host[:port] names spoken to over plain http; loopback always is
 * @param responseTimeout   how long a registry or mirror may take to answer a request
 * @param stallTimeout      a blob download that receives nothing for this long is aborted and retried; the
 *                          registry client reads with one timeout, the shorter of this and responseTimeout
 */
public record ImageSettings(Path cacheDir, long cacheLimitBytes, boolean staleOk, Set<String> insecureRegistries,
        Duration connectTimeout, Duration responseTimeout, Duration stallTimeout, RetryPolicy retry) {

    public ImageSettings {
        insecureRegistries = Set.copyOf(insecureRegistries);
    }

    public static ImageSettings defaults(Path cacheDir) {
        return new ImageSettings(cacheDir, 0, false, Set.of(), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(30), RetryPolicy.DEFAULT);
    }

    public ImageSettings withCacheLimit(long bytes) {
        return new ImageSettings(cacheDir, bytes, staleOk, insecureRegistries, connectTimeout, responseTimeout,
                stallTimeout, retry);
    }

    public ImageSettings withStaleOk(boolean ok) {
        return new ImageSettings(cacheDir, cacheLimitBytes, ok, insecureRegistries, connectTimeout, responseTimeout,
                stallTimeout, retry);
    }

    public ImageSettings withInsecureRegistries(Set<String> registries) {
        return new ImageSettings(cacheDir, cacheLimitBytes, staleOk, registries, connectTimeout, responseTimeout,
                stallTimeout, retry);
    }

    /** Called by tests only (the server keeps the defaults): fault-injection tests need short timeouts. */
    public ImageSettings withTimeouts(Duration connect, Duration response, Duration stall) {
        return new ImageSettings(cacheDir, cacheLimitBytes, staleOk, insecureRegistries, connect, response, stall,
                retry);
    }

    /** Called by tests only (the server keeps the default): retry tests need quick, countable backoff. */
    public ImageSettings withRetry(RetryPolicy policy) {
        return new ImageSettings(cacheDir, cacheLimitBytes, staleOk, insecureRegistries, connectTimeout,
                responseTimeout, stallTimeout, policy);
    }
}
