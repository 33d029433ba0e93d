package org.bootferry.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The records the image cache keeps beside its blobs (JSON, {@link ImageCache#writeRecord}), so that a
 * restarted server answers a request it answered before without asking the registry: what a tag
 * resolved to, and which files a manifest gave for one choice of paths.
 */
final class CacheRecords {

    private CacheRecords() {
    }

    /** What a reference resolved to for a platform. */
    record TagRecord(String reference, String platform, String manifest, long resolvedAtMillis) {
    }

    /** The files an image manifest gave for one choice of paths. */
    record PlanRecord(String foundBy, FileRecord kernel, FileRecord initrd, FileRecord kickstart,
            Map<String, String> labels) {

        /** The plan's files when all are still in {@code cache}; empty when one was evicted (extract again). */
        Optional<ImageBootFiles> files(ImageCache cache, ImageReference ref, Digest manifest, Platform platform) {
            Optional<ImageFile> k = FileRecord.file(cache, kernel);
            Optional<ImageFile> i = FileRecord.file(cache, initrd);
            Optional<ImageFile> ks = FileRecord.file(cache, kickstart);
            if (k.isEmpty() || initrd != null && i.isEmpty() || kickstart != null && ks.isEmpty()) {
                return Optional.empty();
            }
            Map<String, String> l = labels == null ? Map.of() : labels;
            return Optional.of(new ImageBootFiles(ref, manifest, platform, k.get(), i, ks,
                    Optional.ofNullable(l.get(ImageBootFiles.LABEL_KERNEL_ARGS)), l, foundBy, false, List.of(), null));
        }
    }

    /** One file of a plan, by the digest of its content. */
    record FileRecord(String imagePath, String resolvedPath, String layer, String digest, long size) {

        static FileRecord of(ImageFile f) {
            return new FileRecord(f.imagePath(), f.resolvedPath(), f.layer().toString(), f.digest().toString(),
                    f.size());
        }

        /** The file {@code r} records, when it has one and its blob is still cached. */
        static Optional<ImageFile> file(ImageCache cache, FileRecord r) {
            if (r == null) {
                return Optional.empty();
            }
            Digest d = Digest.parseOrNull(r.digest());
            return cache.blob(d).map(p -> new ImageFile(r.imagePath(), r.resolvedPath(), Digest.parseOrNull(r.layer()),
                    p, d, r.size()));
        }
    }
}
