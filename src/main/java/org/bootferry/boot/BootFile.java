package org.bootferry.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.kernel.KernelFiles;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.loader.FileDigests;

/**
 * A file a machine boots (kernel or initrd), wherever it comes from: a local file, or a file
 * extracted from a container image. Protocols ask for {@link #fetch()} and stream the path.
 */
public interface BootFile {

    /** Where it comes from, for logs and explain output (e.g. {@code /srv/vmlinuz}). */
    String source();

    /** A readable local file with the content; may block while an image is pulled. */
    Path fetch() throws IOException;

    /**
     * Completes once {@link #fetch()} and {@link #digest()} no longer wait for a pull, or fails with the
     * {@link IOException} they would throw; holds no thread meanwhile. At once for a local file.
     */
    default CompletableFuture<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }

    /** {@code sha256:<hex>} of the content (HTTP's ETag); may block like {@link #fetch()}. */
    String digest() throws IOException;

    /** The digest when it is known without fetching (a local file, a cached image); for explain. */
    Optional<String> knownDigest();

    /**
     * What the file is when that is known without fetching: a local file's first bytes, read once per
     * version; an image's kernel as the cache recorded it when it was extracted. Empty when the file
     * can't be read yet (fetching it says why) and for an image's initrd.
     */
    Optional<KernelFormat> knownFormat();

    /**
     * Whether only its machine may fetch it over HTTP (its URL carries the machine's capability). A
     * file of this host's disk is private: it may be a site's own build, with keys or passwords in
     * an initrd. An image's or an install tree's file is public: anyone can pull it from its registry
     * or mirror, and its static URL lets caches and several machines share it.
     */
    default boolean isPrivate() {
        return false;
    }

    /** A file on this host's disk. */
    record Local(Path path) implements BootFile {
        @Override
        public boolean isPrivate() {
            return true;
        }

        @Override
        public String source() {
            return path.toString();
        }

        @Override
        public Path fetch() {
            return path;
        }

        @Override
        public String digest() throws IOException {
            return FileDigests.sha256(path);
        }

        @Override
        public Optional<String> knownDigest() {
            try {
                return Optional.of(digest());
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public Optional<KernelFormat> knownFormat() {
            try {
                return Optional.of(KernelFiles.read(path));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
