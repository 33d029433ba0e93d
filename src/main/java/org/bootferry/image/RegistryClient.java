package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to registries with the OCI distribution spec (distribution-spec spec.md): the façade for
 * manifests and blobs. Every request goes through one path that adds credentials
 * ({@link RegistryAuthenticator}), follows redirects without carrying the Authorization header to
 * another host, and retries transient failures (connection errors, 5xx, 429, resets, stalls, corrupt
 * bytes) with backoff. Bytes are verified against their digest before anyone may keep them. Requests
 * go over {@link HttpGet}; its read timeout is the shorter of the response and stall timeouts, so a
 * registry silent that long, before its headers or inside a body, fails the attempt.
 */
public final class RegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Registries must accept manifests up to 4 MiB (distribution-spec "Pushing Manifests"); refuse more. */
    private static final long MAX_MANIFEST = 4 << 20;
    private static final int MAX_REDIRECTS = 5;

    /** A manifest as pulled: its digest (of these exact bytes), parsed form and bytes. */
    public record PulledManifest(Digest digest, Manifest manifest, String mediaType, byte[] body) {
    }

    /** Consumes a blob's verified-as-it-goes stream; its result is kept only if the whole blob verifies. */
    public interface BlobReader<T> {
        T read(InputStream blob) throws IOException, ImageException;

        /** Throws away a result after the rest of the blob turned out bad; it will be read again. */
        default void discard(T result) {
        }
    }

    private interface Attempt<T> {
        T run() throws IOException, ImageException;
    }

    /** Read per request; {@link #settings(ImageSettings)} swaps it. */
    private volatile ImageSettings settings;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final RegistryAuthenticator authenticator;

    public RegistryClient(ImageSettings settings) {
        this.settings = settings;
        this.connectTimeout = settings.connectTimeout();
        Duration response = settings.responseTimeout();
        this.readTimeout = response.compareTo(settings.stallTimeout()) < 0 ? response : settings.stallTimeout();
        this.authenticator = new RegistryAuthenticator(connectTimeout, response, Clock.systemUTC());
    }

    /**
     * Puts new settings in force for the next request, above all which registries are spoken to
     * over plain http. The timeouts stay as the client was built with.
     */
    void settings(ImageSettings next) {
        settings = next;
    }

    /**
     * GET {@code /v2/<name>/manifests/<reference>} with all four Accept types. The digest is computed
     * over the bytes received and checked against a pinned reference and Docker-Content-Digest.
     */
    public PulledManifest pullManifest(ImageReference image, String reference, Credentials credentials,
            PullListener listener) throws ImageException {
        String what = "manifest " + image.registry() + "/" + image.repository() + ":" + reference;
        return withRetries(what, listener, () -> {
            try (HttpGet response = exchange(image, credentials, "manifests/" + reference, Manifest.ACCEPT,
                    Optional.empty())) {
                InputStream body = response.body();
                if (response.status() == 404) {
                    throw new ManifestUnknownException(image, registryError(body.readNBytes(64 * 1024)));
                }
                expectOk(response, body, what);
                byte[] bytes = body.readNBytes((int) MAX_MANIFEST + 1);
                if (bytes.length > MAX_MANIFEST) {
                    throw new UnsupportedManifestException(what + " is larger than 4 MiB");
                }
                Digest actual = Digest.of(bytes);
                Digest expected = Digest.parseOrNull(reference);
                if (expected == null) {
                    expected = Digest.parseOrNull(response.header("Docker-Content-Digest").orElse(null));
                }
                if (expected != null && !expected.equals(actual)) {
                    throw new BlobStream.CorruptBlob(expected, actual);
                }
                String type = response.header("Content-Type").orElse("");
                Manifest manifest = Manifest.parse(type, bytes, what);
                return new PulledManifest(actual, manifest, manifest.mediaType(), bytes);
            }
        });
    }

    /** A small blob (an image config) into memory, verified. */
    public byte[] pullBlob(ImageReference image, Descriptor blob, Credentials credentials, PullListener listener)
            throws ImageException {
        if (blob.size() > MAX_MANIFEST) {
            throw new UnsupportedManifestException("blob " + blob.digest() + " of " + image
                    + " is too large to be an image config (" + blob.size() + " bytes)");
        }
        return pullBlob(image, blob, credentials, listener, in -> in.readAllBytes());
    }

    /**
     * Streams blob {@code GET /v2/<name>/blobs/<digest>} through {@code reader}, then reads whatever it
     * left and verifies size and digest. The reader's result is returned only after that check; on a
     * failure it is discarded and the whole blob is read again, up to the retry limit.
     */
    public <T> T pullBlob(ImageReference image, Descriptor blob, Credentials credentials, PullListener listener,
            BlobReader<T> reader) throws ImageException {
        String what = "blob " + blob.digest() + " of " + image.registry() + "/" + image.repository();
        return withRetries(what, listener, () -> {
            HttpGet response = exchange(image, credentials, "blobs/" + blob.digest(), "*/*", Optional.empty());
            BlobStream stream = new BlobStream(response.body(), blob, n -> listener.progress(blob, n));
            try {
                if (response.status() == 404) {
                    throw new ImageException(what + ": the registry does not have this blob (BLOB_UNKNOWN: "
                            + registryError(response.body().readNBytes(64 * 1024))
                            + "); the image was pushed incompletely or garbage-collected");
                }
                expectOk(response, response.body(), what);
                T result = reader.read(stream);
                try {
                    stream.drainAndVerify();
                } catch (IOException e) {
                    reader.discard(result);
                    throw e;
                }
                return result;
            } finally {
                stream.release();
            }
        });
    }

    /**
     * Streams bytes {@code [offset, offset + length)} of a blob through {@code reader}, with a Range
     * request (RFC 9110 §14.2; distribution-spec spec.md "Pulling blobs" allows it). Empty when the
     * registry answers 200 with the whole blob instead of 206: the caller then reads the blob as a
     * whole. The reader verifies what it reads (against a table of contents); a {@link
     * BlobStream.CorruptBlob} it throws is retried like a corrupt whole blob.
     */
    <T> Optional<T> pullRange(ImageReference image, Descriptor blob, long offset, long length, Credentials credentials,
            PullListener listener, BlobReader<T> reader) throws ImageException {
        if (offset < 0 || length <= 0 || offset + length > blob.size()) {
            throw new LayerFormatException("bytes " + offset + "+" + length + " lie outside blob " + blob.digest()
                    + " of " + blob.size() + " bytes", null);
        }
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        String what = "blob " + blob.digest() + " of " + image.registry() + "/" + image.repository() + " (" + range + ")";
        return withRetries(what, listener, () -> {
            try (HttpGet response = exchange(image, credentials, "blobs/" + blob.digest(), "*/*",
                    Optional.of(range))) {
                InputStream body = response.body();
                if (response.status() == 200) {
                    return Optional.empty();
                }
                if (response.status() != 206) {
                    expectOk(response, body, what);
                }
                String expected = "bytes " + offset + "-" + (offset + length - 1) + "/";
                String contentRange = response.header("Content-Range").orElse("");
                if (!contentRange.startsWith(expected)) {
                    throw new ImageException(what + ": registry answered 206 with Content-Range '" + contentRange
                            + "', not the range asked for");
                }
                return Optional.of(reader.read(BlobStream.range(body, blob, length,
                        n -> listener.progress(blob, offset + n))));
            }
        });
    }

    private <T> T withRetries(String what, PullListener listener, Attempt<T> attempt) throws ImageException {
        List<String> failures = new ArrayList<>();
        RetryPolicy policy = settings.retry();
        for (int n = 1;; n++) {
            IOException failure;
            try {
                return attempt.run();
            } catch (SocketTimeoutException e) {
                failure = e; // silent past the read timeout: retried like a reset
            } catch (InterruptedIOException e) {
                throw new RegistryUnreachableException(what + ": interrupted", e);
            } catch (IOException e) {
                failure = e;
            }
            String cause = describe(failure);
            failures.add(cause);
            if (n >= policy.attempts()) {
                String history = String.join("; ", failures);
                if (failure instanceof BlobStream.CorruptBlob corrupt) {
                    throw new DigestMismatchException(what + " (" + n + " attempts: " + history + ")",
                            corrupt.expected(), corrupt.actual());
                }
                throw new RegistryUnreachableException(what + ": failed " + n + " times (" + history
                        + "); check that the registry is up and reachable from this host", failure);
            }
            Duration retryAfter = failure instanceof BlobStream.TransientFailure t ? t.retryAfter() : null;
            Duration delay = policy.delayBefore(n + 1, retryAfter);
            LOG.warn("{}: {}; retry {} of {} in {} ms", what, cause, n, policy.attempts() - 1, delay.toMillis());
            listener.retrying(what, n, cause, delay);
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnreachableException(what + ": interrupted while waiting to retry", e);
            }
        }
    }

    private static String describe(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof java.nio.channels.UnresolvedAddressException) {
                return "unknown host (DNS)";
            }
        }
        if (e instanceof SocketTimeoutException) {
            String m = String.valueOf(e.getMessage());
            return m.toLowerCase(Locale.ROOT).contains("connect") ? "connect timed out" : "no response in time";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * One request with credentials and redirects; a 5xx/429 becomes a retryable failure, a 401 is
     * answered once per request with fresh credentials, other statuses are the caller's to judge. A
     * {@code range} goes along to every hop of a redirect (a CDN serves the byte range).
     */
    private HttpGet exchange(ImageReference image, Credentials credentials, String path,
            String accept, Optional<String> range) throws IOException, ImageException {
        String registry = image.apiHost();
        URI uri = URI.create(scheme(registry) + "://" + registry + "/v2/" + image.repository() + "/" + path);
        Optional<String> authorization = authenticator.cached(registry, image.repository(), credentials);
        boolean fresh = false;
        for (int redirects = 0;;) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", accept);
            headers.put("User-Agent", "bootferry");
            range.ifPresent(r -> headers.put("Range", r));
            boolean sameHost = uri.getRawAuthority().equalsIgnoreCase(registry);
            if (sameHost) {
                authorization.ifPresent(a -> headers.put("Authorization", a));
            }
            HttpGet response = HttpGet.send(uri, headers, connectTimeout, readTimeout);
            int status = response.status();
            if (status == 401 && sameHost) {
                String challenge = response.header("WWW-Authenticate").orElse(null);
                response.close();
                if (fresh) {
                    authenticator.invalidate(registry, image.repository(), credentials);
                    throw new RegistryAuthenticationException(credentials == null
                            ? "registry " + registry + " refuses anonymous pulls of " + image.repository()
                                    + ": name an imagePullSecret with credentials for " + image.registry()
                            : "registry " + registry + " rejected " + credentials + " for " + image.repository()
                                    + ": check the user name and password (and that the user may pull it)");
                }
                authorization = Optional.of(authenticator.authorize(registry, image.repository(), challenge, credentials));
                fresh = true;
                continue;
            }
            if (status == 403) {
                response.close();
                throw new RegistryAuthenticationException("registry " + registry + " denied access to "
                        + image.repository() + (credentials == null ? " for anonymous pulls" : " for " + credentials));
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = response.header("Location").orElse(null);
                response.close();
                if (location == null || ++redirects > MAX_REDIRECTS) {
                    throw new BlobStream.TransientFailure("HTTP " + status + " from " + uri.getAuthority()
                            + (location == null ? " without Location" : ": too many redirects"), null);
                }
                URI next = uri.resolve(location);
                if ("http".equals(next.getScheme()) && "https".equals(uri.getScheme())
                        && !insecure(next.getRawAuthority())) {
                    throw new RegistryAuthenticationException("registry " + registry + " redirected " + path
                            + " from https to plain http (" + next.getAuthority() + "); refusing");
                }
                // The Authorization header is for the registry only: a CDN behind a redirect gets a
                // pre-signed URL and must never see the registry credentials (handled by sameHost above).
                uri = next;
                continue;
            }
            if (status >= 500 || status == 429) {
                Duration retryAfter = response.header("Retry-After").map(RegistryClient::seconds)
                        .orElse(null);
                response.close();
                throw new BlobStream.TransientFailure("HTTP " + status + " from " + uri.getAuthority(), retryAfter);
            }
            return response;
        }
    }

    private static Duration seconds(String retryAfter) {
        try {
            return Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
        } catch (NumberFormatException e) {
            return null; // an HTTP-date: fall back to our own backoff
        }
    }

    private static void expectOk(HttpGet response, InputStream body, String what)
            throws IOException, ImageException {
        if (response.status() != 200) {
            String error = registryError(body.readNBytes(64 * 1024));
            throw new ImageException(what + ": registry answered HTTP " + response.status() + " (" + error + ")");
        }
    }

    /** The first error of a distribution-spec error body ({"errors":[{"code","message"}]}), or the raw text. */
    static String registryError(byte[] body) {
        try {
            JsonNode first = JSON.readTree(body).path("errors").path(0);
            if (first.isObject()) {
                return first.path("code").asText("") + ": " + first.path("message").asText("");
            }
        } catch (IOException e) {
            // not JSON: show it as text
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text.isEmpty() ? "no details" : text;
    }

    private String scheme(String registry) {
        return insecure(registry) ? "http" : "https";
    }

    /** Plain http only for registries the operator listed, and for loopback (tests, local mirrors). */
    private boolean insecure(String authority) {
        if (settings.insecureRegistries().contains(authority)) {
            return true;
        }
        String host = authority.startsWith("[") ? authority.substring(1, authority.indexOf(']'))
                : authority.contains(":") ? authority.substring(0, authority.lastIndexOf(':')) : authority;
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return settings.insecureRegistries().contains(host.toLowerCase(Locale.ROOT));
    }
}
