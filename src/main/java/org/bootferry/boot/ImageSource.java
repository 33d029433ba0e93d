package org.bootferry.boot;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageRequest;

/** Where the boot files of {@code kernelBoot.container} come from: the server's one image resolver, or none. */
interface ImageSource {

    /** What this host's cache alone says the request gives; never contacts the registry. */
    Optional<ImageBootFiles> cached(ImageRequest request);

    /**
     * The request's files once pulled, no later than {@code timeout}: holds no thread while it waits.
     * Fails with an {@link IOException} saying what to fix, or naming the timeout and its setting.
     */
    CompletableFuture<ImageBootFiles> pull(ImageRequest request, Duration timeout);

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
    };
}
