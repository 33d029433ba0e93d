package org.bootferry.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.image.Descriptor;
import org.bootferry.image.Digest;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageException;
import org.bootferry.image.ImageReference;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.Platform;
import org.bootferry.image.PullListener;
import org.bootferry.image.PullPolicy;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeListener;
import org.bootferry.image.TreeRequest;
import org.bootferry.server.ImageSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bootferry pull IMAGE} or {@code bootferry pull --location URL}: fills the image cache ahead
 * of the first boot, so that the first boot is as fast as the others and machines with pull policy
 * {@code Never} can boot.
 */
@Command(name = "pull", description = "Pull an image's, or an install tree's, kernel and initrd into the image cache,"
        + " with progress.")
final class PullCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "IMAGE", arity = "0..1",
            description = "Image reference, e.g. registry.example.org/boot/fedora:42.")
    String image;

    @Option(names = "--location", paramLabel = "URL", description = "An install tree instead of an image, as"
            + " kernelBoot.location: its .treeinfo (Fedora, RHEL) or Debian/Ubuntu netboot layout says which files.")
    String location;

    @Option(names = "--cache", paramLabel = "DIR", description = "Image cache directory (default: $BOOTFERRY_CACHE, or server.yaml's cache).")
    Path cache;

    @Option(names = "--platform", paramLabel = "OS/ARCH", defaultValue = "linux/amd64",
            description = "Platform of the machines that boot it, not of this host (default: ${DEFAULT-VALUE}).")
    String platform;

    @Option(names = "--kernel-path", paramLabel = "PATH",
            description = "kernelPath as in the machine file (default: label, then conventions).")
    String kernelPath;

    @Option(names = "--initrd-path", paramLabel = "PATH", description = "initrdPath as in the machine file.")
    String initrdPath;

    @Option(names = "--secret", paramLabel = "NAME", description = "imagePullSecret: credentials from secrets/NAME.json.")
    String secret;

    @Override
    public Integer call() throws IOException {
        if ((image == null) == (location == null)) {
            System.err.println("bootferry: name an IMAGE or a --location URL (one of them)");
            return ExitCodes.USAGE;
        }
        Platform target;
        try {
            target = Platform.parse(platform);
        } catch (IllegalArgumentException e) {
            System.err.println("bootferry: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (cache != null) {
            overrides.put("cache", cache.toAbsolutePath().toString());
        }
        ConfigSnapshot snapshot = new ConfigLoader(config.dir, overrides).load();
        if (Files.isDirectory(config.dir)) { // without a config dir, pull works from the defaults and --cache
            snapshot.errors().forEach(e -> System.err.println("warning: " + e));
        }
        if (location != null) {
            return pullTree(snapshot, target);
        }
        ImageRequest request = new ImageRequest(image, Optional.ofNullable(kernelPath), Optional.ofNullable(initrdPath),
                PullPolicy.ALWAYS, target, Optional.empty(),
                Optional.ofNullable(secret).map(name -> config.dir.resolve("secrets").resolve(name + ".json")));
        try (ImageResolver resolver = ImageSupport.resolver(snapshot.settings())) {
            ProgressBar progress = new ProgressBar(System.err, System.console() != null);
            ImageBootFiles files = resolver.resolve(request, progress);
            progress.done();
            files.summary().forEach(System.out::println);
            return 0;
        } catch (ImageException e) {
            System.err.println();
            System.err.println("bootferry: " + e.getMessage());
            return 1;
        }
    }

    private Integer pullTree(ConfigSnapshot snapshot, Platform target) throws IOException {
        TreeRequest request;
        try {
            request = new TreeRequest(URI.create(location), PullPolicy.ALWAYS, target);
        } catch (IllegalArgumentException e) {
            System.err.println("bootferry: --location: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (ImageResolver resolver = ImageSupport.resolver(snapshot.settings())) {
            TreeBootFiles files = resolver.trees().resolve(request, new TreeProgress(System.err));
            files.summary().forEach(System.out::println);
            return 0;
        } catch (ImageException e) {
            System.err.println("bootferry: " + e.getMessage());
            return 1;
        }
    }

    /** The tree's files being read, on stderr: a line when one starts, one each 16 MiB, one when done. */
    static final class TreeProgress implements TreeListener {

        private static final long STEP = 16L << 20;

        private final PrintStream out;
        private long shown;

        TreeProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void fetching(String what, URI url) {
            shown = 0;
            out.println(what + " " + url + " ...");
        }

        @Override
        public synchronized void progress(String what, long received) {
            if (received - shown >= STEP) {
                shown = received;
                out.println(what + " " + ProgressBar.mib(received));
            }
        }

        @Override
        public synchronized void warning(String message) {
            out.println("warning: " + message);
        }
    }

    /**
     * The layers being read, on stderr: on a terminal one bar redrawn in place, otherwise (logs, CI)
     * one line when a layer starts and one when it is done.
     */
    static final class ProgressBar implements PullListener {

        private static final int WIDTH = 30;
        private static final long REDRAW_NANOS = Duration.ofMillis(100).toNanos();

        private final PrintStream out;
        private final boolean terminal;
        private Descriptor layer;
        private String label = "";
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public synchronized void resolved(ImageReference reference, Digest manifest, Platform platform) {
            out.println(reference + " (" + platform + ") -> " + manifest);
        }

        @Override
        public synchronized void layerStarted(int index, int count, Descriptor layer) {
            this.layer = layer;
            // Layers are read from the top down; people count them from the bottom, as registries list them.
            this.label = String.format(Locale.ROOT, "layer %d/%d %s", count - index, count, layer.digest().shortHex());
            if (terminal) {
                draw(0, true);
            } else {
                out.println(label + " " + mib(layer.size()) + " ...");
            }
        }

        @Override
        public synchronized void progress(Descriptor blob, long received) {
            if (terminal && blob.equals(layer)) {
                draw(received, false);
            }
        }

        @Override
        public synchronized void layerFinished(int index, Descriptor finished) {
            if (terminal) {
                draw(finished.size(), true);
                out.println();
                drawn = false;
            } else {
                out.println(label + " done");
            }
            layer = null;
        }

        @Override
        public synchronized void retrying(String what, int attempt, String cause, Duration delay) {
            interrupt();
            out.println("retrying " + what + " (attempt " + attempt + ") in " + delay.toMillis() + " ms: " + cause);
        }

        @Override
        public synchronized void warning(String message) {
            interrupt();
            out.println("warning: " + message);
        }

        synchronized void done() {
            interrupt();
        }

        /** Ends a bar drawn in place before another line is printed. */
        private void interrupt() {
            if (drawn) {
                out.println();
                drawn = false;
            }
        }

        private void draw(long received, boolean force) {
            long now = System.nanoTime();
            if (!force && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            long total = Math.max(layer.size(), 1);
            int filled = (int) Math.min(WIDTH, received * WIDTH / total);
            out.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + mib(received)
                    + " / " + mib(layer.size()));
            out.flush();
            drawn = true;
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
    }
}
