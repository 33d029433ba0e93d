package org.bootferry.image;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.kernel.KernelFiles;
import org.bootferry.kernel.KernelFormat;

/**
 * The records the image cache keeps beside its blobs (JSON, {@link ImageCache#writeRecord}), so that a
 * restarted server answers a request it answered before without asking the registry: what a tag
 * resolved to, and which files a manifest gave for one choice of paths (with the kernel's format).
 */
final class CacheRecords {

    private CacheRecords() {
    }

    /** What a reference resolved to for a platform. */
    record TagRecord(String reference, String platform, String manifest, long resolvedAtMillis) {
    }

    /**
     * The files an image manifest gave for one choice of paths, and the kernel's format, read once
     * when it was extracted. Records written before formats were recorded have none: it is read then
     * from the cached kernel.
     */
    record PlanRecord(String foundBy, FileRecord kernel, FileRecord initrd, FileRecord kickstart,
            Map<String, String> labels, KernelFormat kernelFormat) {

        /** The record of files just extracted, with the kernel's format read from its first bytes. */
        static PlanRecord of(String foundBy, ImageFile kernel, Optional<ImageFile> initrd, Optional<ImageFile> kickstart,
                Map<String, String> labels) throws ImageException {
            return new PlanRecord(foundBy, FileRecord.of(kernel), initrd.map(FileRecord::of).orElse(null),
                    kickstart.map(FileRecord::of).orElse(null), labels, kernelFormat(kernel));
        }

        /**
         * The plan's files when all are still in {@code cache}; empty when one was evicted, or when the
         * kernel of a record without its format can't be read (extract again, which records it).
         */
        Optional<ImageBootFiles> files(ImageCache cache, ImageReference ref, Digest manifest, Platform platform) {
            Optional<ImageFile> k = FileRecord.file(cache, kernel);
            Optional<ImageFile> i = FileRecord.file(cache, initrd);
            Optional<ImageFile> ks = FileRecord.file(cache, kickstart);
            if (k.isEmpty() || initrd != null && i.isEmpty() || kickstart != null && ks.isEmpty()) {
                return Optional.empty();
            }
            Optional<KernelFormat> format = Optional.ofNullable(kernelFormat).or(() -> {
                try {
                    return Optional.of(kernelFormat(k.get()));
                } catch (ImageException e) {
                    return Optional.empty();
                }
            });
            return format.map(f -> files(ref, manifest, platform, k.get(), f, i, ks));
        }

        /** The answer this record, made by {@link #of}, gives for the files it was made of. */
        ImageBootFiles files(ImageReference ref, Digest manifest, Platform platform, ImageFile k, Optional<ImageFile> i,
                Optional<ImageFile> ks) {
            return files(ref, manifest, platform, k, kernelFormat, i, ks);
        }

        private ImageBootFiles files(ImageReference ref, Digest manifest, Platform platform, ImageFile k,
                KernelFormat format, Optional<ImageFile> i, Optional<ImageFile> ks) {
            Map<String, String> l = labels == null ? Map.of() : labels;
            return new ImageBootFiles(ref, manifest, platform, k, format, i, ks,
                    Optional.ofNullable(l.get(ImageBootFiles.LABEL_KERNEL_ARGS)), l, foundBy, false, List.of(), null);
        }

        private static KernelFormat kernelFormat(ImageFile kernel) throws ImageException {
            try {
                return KernelFiles.read(kernel.path());
            } catch (IOException e) {
                throw new ImageException("cached kernel " + kernel.path() + ": " + e.getMessage(), e);
            }
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
