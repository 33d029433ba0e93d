package org.bootferry.boot;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeFile;
import org.bootferry.image.TreeRequest;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;

/**
 * The installer kernel or initrd of an install tree ({@code kernelBoot.location}). Planning only names
 * it; {@link #fetch()} fetches (or finds in the cache) through the server's one resolver, waiting at
 * most the pull timeout, and refuses a kernel the machine's firmware can't boot ({@link KernelPairing}),
 * known only once fetched.
 */
final class TreeBootFile implements BootFile {

    private final ImageSource source;
    private final TreeRequest request;
    private final ImageBootFile.Part part;
    private final Duration timeout;
    private final Firmware firmware;
    /** What the cache said the tree gives when the plan was made. */
    private final Optional<TreeBootFiles> cached;
    /** Fetched once per plan (one HTTP request), so that its path and its ETag come from the same answer. */
    private volatile TreeBootFiles resolved;

    TreeBootFile(ImageSource source, TreeRequest request, ImageBootFile.Part part, Duration timeout, Firmware firmware,
            Optional<TreeBootFiles> cached) {
        this.source = source;
        this.request = request;
        this.part = part;
        this.timeout = timeout;
        this.firmware = firmware;
        this.cached = cached;
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
    public Path fetch() throws IOException {
        return file().path();
    }

    /** The fetch, waited for without a thread; its files are kept for {@link #fetch()} and {@link #digest()}. */
    @Override
    public CompletableFuture<Void> ready() {
        return resolved != null ? CompletableFuture.completedFuture(null)
                : source.fetch(request, timeout).thenAccept(files -> resolved = files);
    }

    @Override
    public String digest() throws IOException {
        return file().digest().toString();
    }

    /** From this host's cache only: never contacts the mirror. */
    @Override
    public Optional<String> knownDigest() {
        return source.cached(request).map(f -> part(f).digest().toString());
    }

    /** The kernel's format as the cache recorded it at planning; empty for the initrd, or a tree not fetched yet. */
    @Override
    public Optional<KernelFormat> knownFormat() {
        return part == ImageBootFile.Part.KERNEL ? cached.map(TreeBootFiles::kernelFormat) : Optional.empty();
    }

    private TreeFile part(TreeBootFiles files) {
        return part == ImageBootFile.Part.KERNEL ? files.kernel() : files.initrd();
    }

    private TreeFile file() throws IOException {
        TreeBootFiles files = resolved;
        if (files == null) {
            files = ImageSource.join(source.fetch(request, timeout), "fetch of " + request.location());
            resolved = files;
        }
        if (part == ImageBootFile.Part.KERNEL) {
            KernelPairing.Verdict verdict = KernelPairing.judge(files.kernelFormat(), firmware);
            if (verdict.level() == KernelPairing.Level.ERROR) {
                throw new IOException(KernelPairing.message("the tree's " + files.kernel().treePath() + " ("
                        + request.location() + ")", this, files.kernelFormat(), verdict));
            }
        }
        return part(files);
    }

    @Override
    public String toString() {
        return source();
    }
}
