package org.bootferry.boot;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
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
     * The request's files, waiting at most {@code timeout} for a pull.
     *
     * @throws IOException saying what to fix, or naming the timeout and its setting
     */
    ImageBootFiles await(ImageRequest request, Duration timeout) throws IOException;

    /** What this host's cache alone says the install tree gives; never contacts the mirror. */
    Optional<TreeBootFiles> cached(TreeRequest request);

    /**
     * The install tree's files, waiting at most {@code timeout} for a fetch.
     *
     * @throws IOException saying what to fix, or naming the timeout and its setting
     */
    TreeBootFiles await(TreeRequest request, Duration timeout) throws IOException;

    /** No image support: plans name image files (a config check, a planner in a test) but never fetch them. */
    ImageSource NONE = new ImageSource() {
        @Override
        public Optional<ImageBootFiles> cached(ImageRequest request) {
            return Optional.empty();
        }

        @Override
        public ImageBootFiles await(ImageRequest request, Duration timeout) throws IOException {
            throw new IOException("image support is not configured here (a config check does not pull)");
        }

        @Override
        public Optional<TreeBootFiles> cached(TreeRequest request) {
            return Optional.empty();
        }

        @Override
        public TreeBootFiles await(TreeRequest request, Duration timeout) throws IOException {
            throw new IOException("install tree support is not configured here (a config check does not fetch)");
        }
    };
}
