package org.bootferry.loader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.bootferry.lang.BoundedCache;

/**
 * SHA-256 digests of local boot files, computed once per file version (path, size, mtime), also
 * when many requests ask at once: a kernel is read once, not on every request for its ETag.
 */
public final class FileDigests {

    private record Version(Path path, long size, long modified) {
    }

    /** Each version's digest, being computed or done; a handful of kernels and initrds in practice. */
    private static final BoundedCache<Version, CompletableFuture<String>> DIGESTS = new BoundedCache<>(1024);

    private FileDigests() {
    }

    /** {@code sha256:<hex>} of the file as it is now. */
    public static String sha256(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        Version version = new Version(path, attrs.size(), attrs.lastModifiedTime().toMillis());
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> known = DIGESTS.get(version, v -> mine);
        if (known == mine) {
            // A boot storm's first requests for one initrd all arrive together: one of them hashes it.
            DIGESTS.forget(v -> v.path().equals(path) && !v.equals(version));
            try {
                mine.complete(compute(path));
            } catch (IOException | RuntimeException e) {
                DIGESTS.forget(version::equals);
                mine.completeExceptionally(e);
            }
        }
        try {
            return known.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw e;
        }
    }

    private static String compute(Path path) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }
}
