package org.bootferry.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One GET over the JDK's {@link HttpURLConnection}, the transport of the registry client: the status
 * and headers once they arrived, then the body as a blocking stream read straight off the socket
 * (connections are kept alive and reused when a body is read to its end). Chosen over
 * {@code java.net.http.HttpClient} for its cost per byte, which a boot waits on: a 42 MB blob range
 * takes 0.1 s of CPU in a fresh JVM through this stream and 1.5 s through HttpClient's asynchronous
 * body pipeline (docs/benchmarks.md, lazy pulls). Redirects are not followed: the caller decides
 * where credentials may go. One read timeout bounds both the wait for the headers and every read
 * of the body, so a registry that goes silent at any point fails the read (a
 * {@link SocketTimeoutException} that says for how long).
 */
final class HttpGet implements AutoCloseable {

    private final HttpURLConnection connection;
    private final int status;
    private final InputStream body;

    private HttpGet(HttpURLConnection connection, int status, InputStream body) {
        this.connection = connection;
        this.status = status;
        this.body = body;
    }

    /** Sends the request and waits for the status line and headers. */
    static HttpGet send(URI uri, Map<String, String> headers, Duration connectTimeout, Duration readTimeout)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(millis(connectTimeout));
        c.setReadTimeout(millis(readTimeout));
        headers.forEach(c::setRequestProperty);
        int status = c.getResponseCode();
        if (status < 0) {
            c.disconnect();
            throw new IOException(uri.getAuthority() + " did not answer with HTTP");
        }
        InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream();
        return new HttpGet(c, status, body == null ? InputStream.nullInputStream() : new Body(body, c.getReadTimeout()));
    }

    /** The body's stream, whose read timeouts name the silence they waited out. */
    private static final class Body extends FilterInputStream {
        private final int timeoutMillis;

        Body(InputStream in, int timeoutMillis) {
            super(in);
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (SocketTimeoutException e) {
                throw silent();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (SocketTimeoutException e) {
                throw silent();
            }
        }

        private SocketTimeoutException silent() {
            return new SocketTimeoutException("no data for " + timeoutMillis + " ms");
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    int status() {
        return status;
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(connection.getHeaderField(name));
    }

    /** The body, or the error body of a 4xx/5xx answer (empty when there is none). */
    InputStream body() {
        return body;
    }

    /** Closes the body: the connection goes back to the pool when it was read to its end, else it is closed. */
    @Override
    public void close() throws IOException {
        body.close();
    }
}
