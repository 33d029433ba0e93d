package org.bootferry.boot;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeFile;
import org.bootferry.image.TreeRequest;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;

/**
 * The installer kernel or initrd of an install tree ({@code kernelBoot.location}), fetched through the
 * server's one resolver.
 */
final class TreeBootFile extends FetchedBootFile<TreeBootFiles> {

    private final ImageSource source;
    private final TreeRequest request;

    TreeBootFile(ImageSource source, TreeRequest request, ImageBootFile.Part part, Duration timeout, Firmware firmware,
            Optional<TreeBootFiles> cached) {
        super(part, timeout, firmware, cached);
        this.source = source;
        this.request = request;
    }

    /** The tree's root URL: {@code {{location}}}. */
    URI location() {
        return request.location();
    }

    /** The tree's package repository: {@code {{repoUrl}}}, the cached answer's, else what the URL says. */
    URI repoUrl() {
        return cached.map(TreeBootFiles::repoUrl).orElseGet(() -> TreeRequest.repoUrl(request.location()));
    }

    /** E.g. {@code install tree http://mirror/fedora/42/os/ kernel images/pxeboot/vmlinuz for linux/amd64}. */
    @Override
    public String source() {
        String path = cached.map(f -> part(f).treePath()).orElse("(as the tree names it)");
        return "install tree " + request.location() + " " + part.id() + " " + path + " for " + request.platform();
    }

    @Override
    CompletableFuture<TreeBootFiles> fetch(Duration timeout) {
        return source.fetch(request, timeout);
    }

    @Override
    String fetching() {
        return "fetch of " + request.location();
    }

    @Override
    KernelFormat kernelFormat(TreeBootFiles files) {
        return files.kernelFormat();
    }

    /** From this host's cache only: never contacts the mirror. */
    @Override
    public Optional<String> knownDigest() {
        return source.cached(request).map(f -> part(f).digest().toString());
    }

    @Override
    String kernelIn(TreeBootFiles files) {
        return "the tree's " + files.kernel().treePath() + " (" + request.location() + ")";
    }

    @Override
    TreeFile part(TreeBootFiles files) {
        return part == ImageBootFile.Part.KERNEL ? files.kernel() : files.initrd();
    }
}
