package org.bootferry.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * The raw bytes of one blob as they arrive: hashed and counted on the way, refused as soon as they
 * exceed the descriptor's size, verified against its digest at the end (OCI image-spec
 * descriptor.md: "the content SHOULD be verified against this digest"). A registry that goes
 * silent fails the blocked read at the connection's read timeout ({@link HttpGet}), as a {@link
 * TransientFailure} that says so. {@link #close()} is a no-op so that decompressors and tar readers
 * stacked on top can be closed without cutting the download short; the owner calls {@link
 * #release()}. A {@link #range range} of a blob is counted the same way; its bytes are verified by
 * whoever knows their digests (a zstd:chunked table of contents), not here.
 */
final class BlobStream extends FilterInputStream {

    /** The bytes ended or went wrong in a way worth a retry: short, corrupt, stalled or cut off. */
    static final class TransientFailure extends IOException {
        private final Duration retryAfter;

        TransientFailure(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** The blob arrived whole but with other content than its digest names. */
    static final class CorruptBlob extends IOException {
        private final Digest expected;
        private final Digest actual;

        CorruptBlob(Digest expected, Digest actual) {
            this("digest mismatch: expected " + expected + ", got " + actual, expected, actual);
        }

        /** {@code actual}: of what could be read before the bytes turned out damaged. */
        CorruptBlob(String message, Digest expected, Digest actual) {
            super(message);
            this.expected = expected;
            this.actual = actual;
        }

        Digest expected() {
            return expected;
        }

        Digest actual() {
            return actual;
        }
    }

    private static final long PROGRESS_STEP = 1 << 20;

    private final Descriptor blob;
    private final long size;
    private final boolean whole;
    private final MessageDigest sha256 = Digest.sha256();
    private final LongConsumer progress;
    private long received;
    private long reported;
    private boolean verified;

    BlobStream(InputStream raw, Descriptor blob, LongConsumer progress) {
        this(raw, blob, blob.size(), true, progress);
    }

    private BlobStream(InputStream raw, Descriptor blob, long size, boolean whole, LongConsumer progress) {
        super(raw);
        this.blob = blob;
        this.size = size;
        this.whole = whole;
        this.progress = progress;
    }

    /** {@code length} bytes of {@code blob} from a Range request: their count is checked, not their digest. */
    static BlobStream range(InputStream raw, Descriptor blob, long length, LongConsumer progress) {
        return new BlobStream(raw, blob, length, false, progress);
    }

    long received() {
        return received;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (SocketTimeoutException e) {
            throw new TransientFailure("stalled: " + e.getMessage() + " after " + received + " of " + size + " bytes",
                    null);
        } catch (IOException e) {
            throw failure(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (n < 0) {
            verifyEnd();
            return -1;
        }
        received += n;
        if (received > size) {
            throw new TransientFailure("registry sent more than the " + size + " bytes asked for of " + blob.digest(),
                    null);
        }
        if (whole) {
            sha256.update(b, off, n);
        }
        if (received - reported >= PROGRESS_STEP || received == size) {
            reported = received;
            progress.accept(received);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed: read them.
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    @Override
    public int available() throws IOException {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private IOException failure(String cause) {
        return new TransientFailure("connection lost after " + received + " of " + size + " bytes (" + cause
                + ")", null);
    }

    private void verifyEnd() throws IOException {
        if (verified) {
            return;
        }
        if (received < size) {
            throw failure("stream ended early");
        }
        Digest actual = Digest.of(sha256);
        verified = true;
        if (whole && !actual.equals(blob.digest())) {
            throw new CorruptBlob(blob.digest(), actual);
        }
    }

    /** Reads (and hashes) whatever the consumer left unread, then verifies size and digest. */
    void drainAndVerify() throws IOException {
        byte[] buf = new byte[256 * 1024];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
        verifyEnd();
    }

    @Override
    public void close() {
        // deliberately empty: see the class comment
    }

    /** Closes the HTTP body for real (returns the connection, or aborts it when unread bytes remain). */
    void release() {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a half-read HTTP body only aborts the exchange
        }
    }
}
