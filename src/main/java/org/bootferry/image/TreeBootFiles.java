package org.bootferry.image;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bootferry.kernel.KernelFormat;

/**
 * The installer kernel and initrd an install tree gave for one platform, on local disk.
 *
 * @param layout    how the tree named them: {@code .treeinfo [images-x86_64]}, {@code Debian netboot}, …
 * @param repoUrl   the package repository the installer is to use ({@code {{repoUrl}}})
 * @param stale     served from the cache because the mirror could not be asked (see warnings)
 * @param bytesRead bytes downloaded by this call (0 when answered from the cache)
 * @param fromCache answered without contacting the mirror
 */
public record TreeBootFiles(URI location, Platform platform, String layout, TreeFile kernel, KernelFormat kernelFormat,
        TreeFile initrd, URI repoUrl, boolean stale, List<String> warnings, long bytesRead, Duration took,
        boolean fromCache) {

    public TreeBootFiles {
        warnings = List.copyOf(warnings);
    }

    TreeBootFiles withCall(boolean stale, List<String> warnings, long bytesRead, Duration took, boolean fromCache) {
        return new TreeBootFiles(location, platform, layout, kernel, kernelFormat, initrd, repoUrl, stale, warnings,
                bytesRead, took, fromCache);
    }

    /** What was found where, one line each, for {@code bootferry pull --location} and logs. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        lines.add(location + " (" + platform + ")" + (stale ? " [STALE]" : ""));
        lines.add("found by " + layout);
        lines.add(line("kernel", kernel));
        lines.add("          " + kernelFormat.describe());
        lines.add(line("initrd", initrd));
        lines.add("repoUrl   " + repoUrl);
        lines.add(fromCache ? "from cache, mirror not contacted"
                : String.format(Locale.ROOT, "read %.1f MiB in %d ms", bytesRead / 1048576.0, took.toMillis()));
        warnings.forEach(w -> lines.add("warning: " + w));
        return lines;
    }

    private static String line(String what, TreeFile f) {
        return String.format(Locale.ROOT, "%-9s %s  %.1f MiB  %s%s  -> %s", what, f.treePath(), f.size() / 1048576.0,
                f.digest(), f.verified() ? " (verified)" : " (unverified: the tree publishes no checksum)", f.path());
    }
}
