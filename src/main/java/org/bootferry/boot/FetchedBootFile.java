package org.bootferry.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.image.CachedFile;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;

/**
 * A kernel or initrd that bootferry fetches from where it lives (an image, an install tree) into its
 * cache. Planning only names it; {@link #fetch()} fetches (or finds in the cache) through the server's
 * one resolver, waiting at most the pull timeout, and refuses a kernel the machine's firmware can't
 * boot ({@link KernelPairing}): its format is known only once fetched.
 *
 * @param <F> what one fetch gives: the kernel, the initrd and the kernel's format
 */
abstract sealed class FetchedBootFile<F> implements BootFile permits ImageBootFile, TreeBootFile {

    final ImageBootFile.Part part;
    private final Duration timeout;
    private final Firmware firmware;
    /** What the cache said the request gives when the plan was made. */
    final Optional<F> cached;
    /** Fetched once per plan (one HTTP request), so that its path and its ETag come from the same answer. */
    private volatile F resolved;

    /**
     * @param firmware the firmware of the machine it is planned for, whose loaders must boot the kernel
     * @param cached   what the cache gave for the request at planning, if anything
     */
    FetchedBootFile(ImageBootFile.Part part, Duration timeout, Firmware firmware, Optional<F> cached) {
        this.part = part;
        this.timeout = timeout;
        this.firmware = firmware;
        this.cached = cached;
    }

    /** Pulls or fetches the files, failing no later than {@code timeout}. */
    abstract CompletableFuture<F> fetch(Duration timeout);

    /** What {@link #fetch(Duration)} does, for a message: {@code pull of registry.lab/fedora:42}. */
    abstract String fetching();

    abstract KernelFormat kernelFormat(F files);

    /** This part of the files. */
    abstract CachedFile part(F files) throws IOException;

    /** Where the kernel was found, for a message: {@code the image's /vmlinux (registry.lab/virtink:1, …)}. */
    abstract String kernelIn(F files);

    @Override
    public Path fetch() throws IOException {
        return file().path();
    }

    /** The fetch, waited for without a thread; its files are kept for {@link #fetch()} and {@link #digest()}. */
    @Override
    public CompletableFuture<Void> ready() {
        return resolved != null ? CompletableFuture.completedFuture(null)
                : fetch(timeout).thenAccept(files -> resolved = files);
    }

    @Override
    public String digest() throws IOException {
        return file().digest().toString();
    }

    /** The kernel's format as the cache recorded it at planning; empty for an initrd, or files not fetched yet. */
    @Override
    public Optional<KernelFormat> knownFormat() {
        return part == ImageBootFile.Part.KERNEL ? cached.map(this::kernelFormat) : Optional.empty();
    }

    private CachedFile file() throws IOException {
        F files = resolved;
        if (files == null) {
            files = ImageSource.join(fetch(timeout), fetching());
            resolved = files;
        }
        if (part == ImageBootFile.Part.KERNEL) {
            KernelPairing.Verdict verdict = KernelPairing.judge(kernelFormat(files), firmware);
            if (verdict.level() == KernelPairing.Level.ERROR) {
                throw new IOException(KernelPairing.message(kernelIn(files), this, kernelFormat(files), verdict));
            }
        }
        return part(files);
    }

    @Override
    public String toString() {
        return source();
    }
}
