package org.bootferry.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Plain GETs from an install tree's mirror: its small text files ({@code .treeinfo},
 * {@code SHA256SUMS}) and its boot files, streamed to a temporary file and hashed on the way.
 * Redirects are followed (download.fedoraproject.org sends each client to a mirror), except from
 * https to http. No retries: a mirror that fails is reported at once, and a boot then falls back on
 * the cache where its policy allows.
 */
final class TreeClient implements AutoCloseable {

    /** .treeinfo is a few KiB, Debian's SHA256SUMS some 100 KiB. */
    private static final int MAX_TEXT = 4 << 20;

    /** A file written under the cache's temporaries, with the SHA-256 of what was written. */
    record Download(Path temp, Digest digest, long size) {
    }

    private final Supplier<ImageSettings> settings;
    private final HttpClient http;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tree-stall-watchdog");
        t.setDaemon(true);
        return t;
    });

    TreeClient(Supplier<ImageSettings> settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.get().connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The text at {@code url}; empty on 404 (the tree has no such file). */
    Optional<String> text(URI url) throws ImageException {
        HttpResponse<InputStream> response = get(url, "GET");
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            expectOk(url, response.statusCode());
            byte[] bytes = body.readNBytes(MAX_TEXT + 1);
            if (bytes.length > MAX_TEXT) {
                throw new TreeFormatException(url + " is larger than " + (MAX_TEXT >> 20) + " MiB: not a tree's"
                        + " description");
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(url, e);
        }
    }

    /** Whether {@code url} is there (HEAD answers 200). */
    boolean exists(URI url) throws ImageException {
        HttpResponse<InputStream> response = get(url, "HEAD");
        try (InputStream ignored = response.body()) {
            if (response.statusCode() == 404) {
                return false;
            }
            expectOk(url, response.statusCode());
            return true;
        } catch (IOException e) {
            throw unreachable(url, e);
        }
    }

    /**
     * Streams {@code url} into a new file under {@code tempDir}, hashing it. A body that receives
     * nothing for the stall timeout is cut. On any failure the temporary is removed.
     */
    Download download(URI url, Path tempDir, LongConsumer progress) throws ImageException {
        HttpResponse<InputStream> response = get(url, "GET");
        Path temp = null;
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long stallNanos = settings.get().stallTimeout().toNanos();
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                throw new TreeFormatException(url + " is not there (404), though the tree names it");
            }
            expectOk(url, response.statusCode());
            ScheduledFuture<?> stall = watchdog.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() - lastData.get() > stallNanos) {
                    stalled.set(true);
                    try {
                        body.close(); // the blocked read below then fails
                    } catch (IOException ignored) {
                        // closing an HTTP body only aborts the exchange
                    }
                }
            }, 100, Math.max(50, stallNanos / 4_000_000), TimeUnit.MILLISECONDS);
            temp = Files.createTempFile(tempDir, "tree-", ".tmp");
            MessageDigest sha256 = Digest.sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                byte[] buf = new byte[256 * 1024];
                int n;
                // A body closed by the watchdog may read as ended rather than fail: the flag tells.
                while ((n = body.read(buf)) >= 0 && !stalled.get()) {
                    lastData.set(System.nanoTime());
                    out.write(buf, 0, n);
                    sha256.update(buf, 0, n);
                    size += n;
                    progress.accept(size);
                }
            } catch (IOException e) {
                throw new MirrorUnreachableException(url + ": " + (stalled.get() ? "stalled, no data for "
                        + settings.get().stallTimeout().toMillis() + " ms" : "connection lost") + " after " + size
                        + " bytes", e);
            } finally {
                stall.cancel(false);
            }
            if (stalled.get()) {
                throw new MirrorUnreachableException(url + ": stalled, no data for "
                        + settings.get().stallTimeout().toMillis() + " ms after " + size + " bytes", null);
            }
            long expected = response.headers().firstValueAsLong("Content-Length").orElse(size);
            if (expected != size) {
                throw new MirrorUnreachableException(url + ": body ended after " + size + " of " + expected
                        + " bytes", null);
            }
            Download done = new Download(temp, Digest.of(sha256), size);
            temp = null;
            return done;
        } catch (IOException e) {
            throw unreachable(url, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the cache sweeps what is left under tmp/ at its next start
                }
            }
        }
    }

    private HttpResponse<InputStream> get(URI url, String method) throws ImageException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(settings.get().responseTimeout())
                .method(method, HttpRequest.BodyPublishers.noBody()).header("User-Agent", "bootferry").build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while fetching " + url, e);
        }
    }

    private static void expectOk(URI url, int status) throws ImageException {
        if (status >= 500) {
            throw new MirrorUnreachableException(url + ": the mirror answered HTTP " + status, null);
        }
        if (status != 200) {
            throw new TreeFormatException(url + ": the mirror answered HTTP " + status);
        }
    }

    private static MirrorUnreachableException unreachable(URI url, IOException e) {
        String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new MirrorUnreachableException("mirror unreachable: " + url + " (" + cause + ")", e);
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
