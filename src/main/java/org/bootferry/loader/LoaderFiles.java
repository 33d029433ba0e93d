package org.bootferry.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first-stage loaders (undionly.kpxe, ipxe.efi, snp.efi, …) by name: from the tftproot, and for
 * names it lacks from Debian's {@code ipxe} package, so a fresh install serves them without copying.
 * TFTP reads them by name, and UEFI HTTP Boot and iPXE by URL ({@code /boot/M/tftp/NAME}); both ask here.
 */
public final class LoaderFiles {

    private static final Logger log = LoggerFactory.getLogger(LoaderFiles.class);

    /** Where Debian's {@code ipxe} package puts undionly.kpxe, ipxe.efi, snponly.efi and friends. */
    public static final Path DEBIAN_IPXE = Path.of("/usr/lib/ipxe");
    /** Where Debian's {@code shim-helpers-<arch>-signed} puts MokManager, {@code mmx64.efi.signed}. */
    public static final Path DEBIAN_SHIM_HELPERS = Path.of("/usr/lib/shim");
    /**
     * MokManager's names (rhboot/shim shim.h MOK_MANAGER, {@code \mm<arch>.efi}): shim starts it from
     * its own directory when the second stage fails verification (shim.c init_grub), the only way
     * back from a rejected key.
     */
    private static final Set<String> MOK_MANAGERS = Set.of("mmx64.efi", "mmaa64.efi", "mmia32.efi");
    /** No boot loader sends longer names; the limit keeps lookups and log lines bounded. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");

    /** The directories searched, in order: fixed, or following the configured tftproot. */
    private final Supplier<List<Root>> roots;
    /** Whether Debian's packaged loaders stand in for names the tftproot lacks. */
    private final boolean debianPackages;

    /** A directory files are served from. */
    private record Root(Path dir, boolean trustLinks) {
    }

    /** A name that is not served, whatever files exist: the reason says why. */
    public static final class Refusal extends Exception {
        public Refusal(String message) {
            super(message, null, false, false);
        }
    }

    private LoaderFiles(List<Root> roots, boolean debianPackages) {
        List<Root> fixed = List.copyOf(roots);
        this.roots = () -> fixed;
        this.debianPackages = debianPackages;
    }

    private LoaderFiles(Supplier<List<Root>> roots) {
        this.roots = roots;
        this.debianPackages = true;
    }

    /**
     * The tftproot alone. Every name resolves inside it, links too: a tftproot can link to shared
     * loaders inside it, never out of it.
     */
    public static LoaderFiles directory(Path tftpRoot) throws IOException {
        return new LoaderFiles(List.of(root(tftpRoot)), false);
    }

    /**
     * The tftproot, then Debian's iPXE binaries for the names it does not have, and Debian's signed
     * MokManager for a shim that finds none beside itself.
     */
    public static LoaderFiles withDebianIpxe(Path tftpRoot) throws IOException {
        return new LoaderFiles(rootsWithDebianIpxe(tftpRoot), true);
    }

    /**
     * The tftproot in force, then Debian's iPXE binaries. The tftproot's path is asked for on every
     * lookup and the roots rebuilt when it changes, so an edit of it applies to the next request. A
     * path that is not a directory leaves the previous tftproot in force, with a warning, until it
     * is one: boots carry on rather than fail on a typo.
     *
     * @throws IOException when the tftproot in force now is not a directory
     */
    public static LoaderFiles withDebianIpxe(Supplier<Path> tftpRoot) throws IOException {
        return new LoaderFiles(new Following(tftpRoot));
    }

    private static List<Root> rootsWithDebianIpxe(Path tftpRoot) throws IOException {
        List<Root> roots = new ArrayList<>(List.of(root(tftpRoot)));
        if (Files.isDirectory(DEBIAN_IPXE)) {
            // Debian's ipxe.efi is a link to /boot/ipxe.efi: the package's own links are followed.
            roots.add(new Root(DEBIAN_IPXE.toRealPath(), true));
        }
        return List.copyOf(roots);
    }

    /** The roots for the configured tftproot, built again when its path changes. */
    private static final class Following implements Supplier<List<Root>> {
        /** A boot storm against a mistyped tftpRoot must not look at the disk on every request. */
        private static final long RETRY_REFUSED_NANOS = TimeUnit.SECONDS.toNanos(1);

        private final Supplier<Path> configured;
        private volatile Built current;
        /** The latest path that could not be used, warned about once and tried again at most once a second. */
        private volatile Path refused;
        private volatile long refusedAt;

        private record Built(Path tftpRoot, List<Root> roots) {
        }

        Following(Supplier<Path> configured) throws IOException {
            this.configured = configured;
            Path now = configured.get();
            this.current = new Built(now, rootsWithDebianIpxe(now));
        }

        @Override
        public List<Root> get() {
            Built built = current;
            Path now = configured.get();
            if (now.equals(built.tftpRoot())
                    || now.equals(refused) && System.nanoTime() - refusedAt < RETRY_REFUSED_NANOS) {
                return built.roots();
            }
            synchronized (this) {
                if (!now.equals(current.tftpRoot())) {
                    try {
                        current = new Built(now, rootsWithDebianIpxe(now));
                        refused = null;
                        log.info("loaders: serving from {}", now);
                    } catch (IOException e) {
                        refusedAt = System.nanoTime();
                        if (!now.equals(refused)) {
                            refused = now;
                            log.warn("loaders: cannot serve from {} ({}); {} stays in force", now, e.getMessage(),
                                    current.tftpRoot());
                        }
                    }
                }
                return current.roots();
            }
        }
    }

    private static Root root(Path tftpRoot) throws IOException {
        if (!Files.isDirectory(tftpRoot)) {
            throw new NoSuchFileException(tftpRoot.toString(), null, "the TFTP root is not a directory");
        }
        return new Root(tftpRoot.toRealPath(), false);
    }

    @Override
    public String toString() {
        return directories().toString();
    }

    /** The directories searched, in order. */
    public List<Path> directories() {
        return roots.get().stream().map(Root::dir).toList();
    }

    /**
     * The name relative to the roots, '/'-separated, without '.', '..' or empty segments. A leading
     * '/' means the root, not the host's: GRUB asks for {@code /grub/grub.cfg-01-…}.
     */
    public static String normalise(String requested) throws Refusal {
        if (requested.length() > MAX_NAME_LENGTH) {
            throw new Refusal("a file name of " + requested.length() + " characters is too long (at most "
                    + MAX_NAME_LENGTH + ")");
        }
        if (requested.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new Refusal("file name '" + printable(requested) + "' contains control characters");
        }
        if (requested.indexOf('\\') >= 0) {
            throw new Refusal("file name '" + requested + "' contains a backslash; names are separated by '/'");
        }
        if (PERCENT_ESCAPE.matcher(requested).find()) {
            // Names are taken literally: one that decodes to something else in another layer (a
            // proxy, a log viewer, HTTP) is an attack, not a file.
            throw new Refusal("file name '" + requested + "' contains a %-escape; names are taken literally");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : requested.split("/")) {
            if (segment.equals("..")) {
                throw new Refusal("file name '" + requested + "' contains '..'; only files under the root are served");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        if (segments.isEmpty()) {
            throw new Refusal("file name '" + requested + "' names no file");
        }
        return String.join("/", segments);
    }

    /** The name as it can go into a log line: control characters shown as '?'. */
    public static String printable(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_NAME_LENGTH + 3));
        for (int i = 0; i < name.length() && i < MAX_NAME_LENGTH; i++) {
            char c = name.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return name.length() > MAX_NAME_LENGTH ? sb.append("...").toString() : sb.toString();
    }

    /**
     * The file a normalised name stands for, as a real path with no links left: empty when no root
     * has it (a directory is not a file).
     *
     * @throws Refusal when the name resolves through a link out of the admin's root
     */
    public Optional<Path> find(String normalised) throws Refusal {
        for (Root root : roots.get()) {
            Path real;
            try {
                real = root.dir().resolve(normalised).toRealPath();
            } catch (NoSuchFileException | NotDirectoryException e) {
                continue;
            } catch (IOException e) {
                throw new Refusal("cannot resolve '" + normalised + "': " + e.getMessage());
            }
            if (!root.trustLinks() && !real.startsWith(root.dir())) {
                throw new Refusal("'" + normalised + "' is a symbolic link leading out of " + root.dir());
            }
            if (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(real);
            }
        }
        return debianPackages ? debianMokManager(normalised) : Optional.empty();
    }

    /**
     * Debian's MokManager ({@code shim-helpers-amd64-signed}) for {@code DIR/mmx64.efi} in any
     * directory: shim asks for it beside itself, wherever the admin's tree put shim. It is signed by
     * Debian's key, so only Debian's shim runs it; any other shim refuses it as it would refuse a
     * missing one.
     */
    private static Optional<Path> debianMokManager(String normalised) throws Refusal {
        String file = normalised.substring(normalised.lastIndexOf('/') + 1);
        Path signed = DEBIAN_SHIM_HELPERS.resolve(file + ".signed");
        if (!MOK_MANAGERS.contains(file) || !Files.isRegularFile(signed)) {
            return Optional.empty();
        }
        try {
            return Optional.of(signed.toRealPath());
        } catch (IOException e) {
            throw new Refusal("cannot resolve " + signed + ": " + e.getMessage());
        }
    }
}
