package org.bootferry.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageFile;
import org.bootferry.image.ImageRequest;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;

/**
 * A kernel or initrd inside a container image ({@code kernelBoot.container}). Planning only names it;
 * {@link #fetch()} pulls (or finds in the cache) through the server's one resolver and waits at most
 * the pull timeout, and refuses a kernel the machine's firmware can't boot ({@link KernelPairing}):
 * its format is known only once the image is pulled.
 */
public final class ImageBootFile implements BootFile {

    /** Which of the image's boot files. */
    public enum Part {
        KERNEL, INITRD;

        String id() {
            return this == KERNEL ? "kernel" : "initrd";
        }
    }

    private final ImageSource images;
    private final ImageRequest request;
    private final Part part;
    private final Duration timeout;
    private final Firmware firmware;
    /** What the cache said the request gives when the plan was made. */
    private final Optional<ImageBootFiles> cached;
    /** Resolved once per plan (one HTTP request), so that its path and its ETag come from the same pull. */
    private volatile ImageBootFiles resolved;

    /**
     * @param firmware the firmware of the machine it is planned for, whose loaders must boot the kernel
     * @param cached   what the cache gave for the request at planning, if anything
     */
    ImageBootFile(ImageSource images, ImageRequest request, Part part, Duration timeout, Firmware firmware,
            Optional<ImageBootFiles> cached) {
        this.images = images;
        this.request = request;
        this.part = part;
        this.timeout = timeout;
        this.firmware = firmware;
        this.cached = cached;
    }

    public ImageRequest request() {
        return request;
    }

    public Part part() {
        return part;
    }

    /** E.g. {@code image registry.lab/fedora:42 kernel /boot/vmlinuz for linux/arm64}. */
    @Override
    public String source() {
        String path = (part == Part.KERNEL ? request.kernelPath() : request.initrdPath())
                .orElse("(by label or convention)");
        return "image " + request.image() + " " + part.id() + " " + path + " for " + request.platform();
    }

    @Override
    public Path fetch() throws IOException {
        return file().path();
    }

    /** The pull, waited for without a thread; its files are kept for {@link #fetch()} and {@link #digest()}. */
    @Override
    public CompletableFuture<Void> ready() {
        return resolved != null ? CompletableFuture.completedFuture(null)
                : images.pull(request, timeout).thenAccept(files -> resolved = files);
    }

    @Override
    public String digest() throws IOException {
        return file().digest().toString();
    }

    /** From this host's cache only: never contacts the registry. */
    @Override
    public Optional<String> knownDigest() {
        return images.cached(request).flatMap(f -> part == Part.KERNEL ? Optional.of(f.kernel()) : f.initrd())
                .map(f -> f.digest().toString());
    }

    /** The kernel's format as the cache recorded it at planning; empty for an initrd, or an image not pulled yet. */
    @Override
    public Optional<KernelFormat> knownFormat() {
        return part == Part.KERNEL ? cached.map(ImageBootFiles::kernelFormat) : Optional.empty();
    }

    /** E.g. {@code the image's /vmlinux (registry.lab/virtink:1, linux/amd64)}, once the cache knows the path. */
    String inImage() {
        return cached.map(this::inImage).orElse(source());
    }

    private String inImage(ImageBootFiles files) {
        return "the image's " + files.kernel().imagePath() + " (" + request.image() + ", " + files.platform() + ")";
    }

    private ImageFile file() throws IOException {
        ImageBootFiles files = resolved;
        if (files == null) {
            files = ImageSource.join(images.pull(request, timeout), "pull of " + request.image());
            resolved = files;
        }
        if (part == Part.KERNEL) {
            KernelPairing.Verdict verdict = KernelPairing.judge(files.kernelFormat(), firmware);
            if (verdict.level() == KernelPairing.Level.ERROR) {
                throw new IOException(KernelPairing.message(inImage(files), this, files.kernelFormat(), verdict));
            }
            return files.kernel();
        }
        ImageBootFiles found = files;
        return files.initrd().orElseThrow(() -> new IOException("image " + request.image() + " (" + found.platform()
                + ") has no initrd (" + found.foundBy() + " found only a kernel): set initrdPath"));
    }

    @Override
    public String toString() {
        return source();
    }
}
