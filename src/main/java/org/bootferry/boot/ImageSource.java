package org.bootferry.boot;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeRequest;

/**
 * Where the boot files of {@code kernelBoot.container} and {@code kernelBoot.location} come from: the
 * server's one image resolver (and its install trees, in the same cache), or none.
 */
interface ImageSource {

    /** What this host's cache alone says the request gives; never contacts the registry. */
    Optional<ImageBootFiles> cached(ImageRequest request);

    /**
     * The request's files once pulled, no later than {@code timeout}: holds no thread while it waits.
     * Fails with an {@link IOException} saying what to fix, or naming the timeout and its setting.
     */
    CompletableFuture<ImageBootFiles> pull(ImageRequest request, Duration timeout);

    /** What this host's cache alone says the install tree gives; never contacts the mirror. */
    Optional<TreeBootFiles> cached(TreeRequest request);

    /**
     * The install tree's files once fetched, no later than {@code timeout}: holds no thread while it
     * waits. Fails as {@link #pull} does.
     */
    CompletableFuture<TreeBootFiles> fetch(TreeRequest request, Duration timeout);

    /** The background pulls of the images machine files name; none without image support. */
    Optional<Prefetch> prefetch();

    /**
     * A count that moves whenever what {@code cached} answers may have changed: a pull or a fetch
     * ended, for a boot or in the background, well or not. What is planned from the cache is kept only
     * while it stands still ({@link ScriptCache}).
     */
    long changes();

    /**
     * For a caller with a thread to spare (TFTP's transfer start): waits for {@link #pull} or
     * {@link #fetch}, whose own timeout ends the wait.
     *
     * @throws IOException as the future failed
     */
    static <T> T join(CompletableFuture<T> files, String what) throws IOException {
        try {
            return files.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the " + what);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().toString(), e.getCause());
        }
    }

    /** No image support: plans name image files (a config check, a planner in a test) but never fetch them. */
    ImageSource NONE = new ImageSource() {
        @Override
        public Optional<ImageBootFiles> cached(ImageRequest request) {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<ImageBootFiles> pull(ImageRequest request, Duration timeout) {
            return CompletableFuture.failedFuture(
                    new IOException("image support is not configured here (a config check does not pull)"));
        }

        @Override
        public Optional<TreeBootFiles> cached(TreeRequest request) {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<TreeBootFiles> fetch(TreeRequest request, Duration timeout) {
            return CompletableFuture.failedFuture(
                    new IOException("install tree support is not configured here (a config check does not fetch)"));
        }

        @Override
        public long changes() {
            return 0;
        }

        @Override
        public Optional<Prefetch> prefetch() {
            return Optional.empty();
        }
    };
}
