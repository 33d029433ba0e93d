package org.bootferry.boot;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageFile;
import org.bootferry.image.ImageRequest;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;

/**
 * A kernel or initrd inside a container image ({@code kernelBoot.container}), pulled through the
 * server's one image resolver.
 */
public final class ImageBootFile extends FetchedBootFile<ImageBootFiles> {

    /** Which of the boot files of an image or an install tree. */
    public enum Part {
        KERNEL, INITRD;

        String id() {
            return this == KERNEL ? "kernel" : "initrd";
        }
    }

    private final ImageSource images;
    private final ImageRequest request;

    ImageBootFile(ImageSource images, ImageRequest request, Part part, Duration timeout, Firmware firmware,
            Optional<ImageBootFiles> cached) {
        super(part, timeout, firmware, cached);
        this.images = images;
        this.request = request;
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
    CompletableFuture<ImageBootFiles> fetch(Duration timeout) {
        return images.pull(request, timeout);
    }

    @Override
    String fetching() {
        return "pull of " + request.image();
    }

    @Override
    KernelFormat kernelFormat(ImageBootFiles files) {
        return files.kernelFormat();
    }

    /** From this host's cache only: never contacts the registry. */
    @Override
    public Optional<String> knownDigest() {
        return images.cached(request).flatMap(f -> part == Part.KERNEL ? Optional.of(f.kernel()) : f.initrd())
                .map(f -> f.digest().toString());
    }

    /** E.g. {@code the image's /vmlinux (registry.lab/virtink:1, linux/amd64)}, once the cache knows the path. */
    String inImage() {
        return cached.map(this::kernelIn).orElse(source());
    }

    @Override
    String kernelIn(ImageBootFiles files) {
        return "the image's " + files.kernel().imagePath() + " (" + request.image() + ", " + files.platform() + ")";
    }

    @Override
    ImageFile part(ImageBootFiles files) throws IOException {
        if (part == Part.KERNEL) {
            return files.kernel();
        }
        return files.initrd().orElseThrow(() -> new IOException("image " + request.image() + " (" + files.platform()
                + ") has no initrd (" + files.foundBy() + " found only a kernel): set initrdPath"));
    }
}
