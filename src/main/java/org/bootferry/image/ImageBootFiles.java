package org.bootferry.image;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bootferry.kernel.KernelFormat;

/**
 * The boot files an image gave for one platform, on local disk, with the defaults the image carries.
 *
 * @param manifestDigest the platform's image manifest (what the tag resolved to)
 * @param kernelFormat   what the kernel is, read from its first bytes when it was extracted
 * @param foundBy        {@code kernelPath}, {@code label org.bootferry.kernelPath} or the convention used
 * @param kernelArgs     label {@code org.bootferry.kernelArgs}: the image's default cmdline (config overrides)
 * @param kickstart      the file named by label {@code org.bootferry.kickstartPath}, if any
 * @param stale          served from the cache because the registry could not be asked (see warnings)
 * @param stats          what this call read from the registry (zeros when served from the cache)
 */
public record ImageBootFiles(ImageReference reference, Digest manifestDigest, Platform platform, ImageFile kernel,
        KernelFormat kernelFormat, Optional<ImageFile> initrd, Optional<ImageFile> kickstart, Optional<String> kernelArgs,
        Map<String, String> labels, String foundBy, boolean stale, List<String> warnings, PullStats stats) {

    /** Label names an image may carry. */
    public static final String LABEL_KERNEL_ARGS = "org.bootferry.kernelArgs";
    public static final String LABEL_KERNEL_PATH = "org.bootferry.kernelPath";
    public static final String LABEL_INITRD_PATH = "org.bootferry.initrdPath";
    public static final String LABEL_KICKSTART_PATH = "org.bootferry.kickstartPath";

    /**
     * @param layers       layers of the image
     * @param layersRead   layers downloaded (the others were never needed)
     * @param bytesRead    bytes downloaded, manifests and retries included
     * @param fromCache    answered without contacting the registry
     */
    public record PullStats(int layers, int layersRead, long bytesRead, Duration took, boolean fromCache) {
    }

    ImageBootFiles withCall(boolean stale, List<String> warnings, PullStats stats) {
        return new ImageBootFiles(reference, manifestDigest, platform, kernel, kernelFormat, initrd, kickstart,
                kernelArgs, labels, foundBy, stale, List.copyOf(warnings), stats);
    }

    /** What was found where, one line each, for {@code bootferry pull} and logs. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        lines.add(reference + " (" + platform + ") -> " + manifestDigest + (stale ? " [STALE]" : ""));
        lines.add("found by " + foundBy);
        lines.add(line("kernel", kernel));
        lines.add("          " + kernelFormat.describe());
        initrd.ifPresent(f -> lines.add(line("initrd", f)));
        kickstart.ifPresent(f -> lines.add(line("kickstart", f)));
        kernelArgs.ifPresent(a -> lines.add("kernelArgs (label): " + a));
        lines.add(stats.fromCache() ? "from cache, registry not contacted"
                : String.format(Locale.ROOT, "read %d of %d layers, %s in %d ms", stats.layersRead(), stats.layers(),
                        mib(stats.bytesRead()), stats.took().toMillis()));
        warnings.forEach(w -> lines.add("warning: " + w));
        return lines;
    }

    private static String line(String what, ImageFile f) {
        return String.format(Locale.ROOT, "%-9s %s%s  %s  %s  layer %s  -> %s", what, f.imagePath(),
                f.resolvedPath().equals(f.imagePath()) ? "" : " -> " + f.resolvedPath(), mib(f.size()), f.digest(),
                f.layer().shortHex(), f.path());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
