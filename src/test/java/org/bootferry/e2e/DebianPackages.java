package org.bootferry.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;

/**
 * Debian packages of one architecture, downloaded and unpacked (never installed) for what the test
 * VMs boot. The host's own architecture uses the host's apt lists. Another one (arm64 on an amd64
 * host) uses apt with a private architecture and package lists under the test cache: the same
 * archive and keys as the host's sources, but the host's dpkg and apt state are left untouched (no
 * {@code dpkg --add-architecture}, nothing for later {@code apt-get} runs to trip over).
 */
final class DebianPackages {

    private final GuestArch arch;
    private final boolean foreign;
    private final Path state;

    private DebianPackages(GuestArch arch, boolean foreign, Path state) {
        this.arch = arch;
        this.foreign = foreign;
        this.state = state;
    }

    static DebianPackages of(GuestArch arch) {
        Tools.require("apt-get", "apt");
        Tools.require("dpkg-deb", "dpkg");
        String host = Processes.check("dpkg", "--print-architecture").trim();
        DebianPackages packages = new DebianPackages(arch, !host.equals(arch.debian()),
                BootArtifacts.cacheDir().resolve("apt-" + arch.debian()));
        packages.ensureLists();
        return packages;
    }

    /** The package {@code meta} depends on whose name starts with {@code prefix}, e.g. linux-image-6.1.0-56-arm64. */
    String dependency(String meta, String prefix) {
        String deps = Processes.check(apt("apt-cache", "depends", meta));
        return deps.lines().map(String::trim)
                .filter(l -> l.startsWith("Depends: " + prefix))
                .map(l -> l.substring("Depends: ".length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("apt-cache knows no " + meta + " for " + arch.debian() + ":\n" + deps));
    }

    /**
     * Downloads {@code pkg} and unpacks the given members (tar wildcards such as {@code './boot/vmlinuz-*'};
     * none: all of it) into {@code dir}, which is created.
     */
    void unpack(String pkg, Path dir, String... members) {
        try {
            Path download = Files.createDirectories(BootArtifacts.cacheDir().resolve("tmp-deb-" + pkg));
            List<String> get = new ArrayList<>(List.of("sh", "-c", "cd \"$1\" && rm -f ./*.deb && shift && exec \"$@\"",
                    "sh", download.toString()));
            get.addAll(apt("apt-get", "-q", "download", pkg));
            Processes.check(get);
            Path deb;
            try (Stream<Path> files = Files.list(download)) {
                deb = files.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new AssertionError("apt-get download " + pkg + " left no .deb in " + download));
            }
            Files.createDirectories(dir);
            List<String> untar = new ArrayList<>(List.of("sh", "-c",
                    "deb=\"$1\" dir=\"$2\"; shift 2; dpkg-deb --fsys-tarfile \"$deb\" | tar -x -C \"$dir\" --wildcards \"$@\"",
                    "sh", deb.toString(), dir.toString()));
            untar.addAll(List.of(members));
            Processes.check(untar);
            Processes.check("rm", "-rf", download.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An apt command line for this architecture. */
    private List<String> apt(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(tool));
        if (foreign) {
            cmd.addAll(List.of("-o", "APT::Architecture=" + arch.debian(), "-o", "APT::Architectures::=" + arch.debian(),
                    "-o", "Dir::State::Lists=" + state.resolve("lists"), "-o", "Dir::Cache=" + state.resolve("cache"),
                    "-o", "Dir::State::Status=/dev/null", "-o", "Debug::NoLocking=1"));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void ensureLists() {
        if (!foreign) {
            Processes.Result known = Processes.run(apt("apt-cache", "show", "linux-image-" + arch.debian()), 60);
            if (known.exit() != 0) {
                Processes.check("apt-get", "update", "-qq");
            }
            return;
        }
        // Lists older than a day may name packages the archive has replaced (a kernel security update).
        Path updated = state.resolve("updated");
        if (Files.exists(updated) && modifiedAfter(updated, Instant.now().minus(Duration.ofDays(1)))) {
            return;
        }
        try {
            Files.createDirectories(state.resolve("lists/partial"));
            Files.createDirectories(state.resolve("cache/archives/partial"));
            Processes.check(apt("apt-get", "-qq", "update"));
            Files.writeString(updated, Instant.now() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean modifiedAfter(Path file, Instant time) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isAfter(time);
        } catch (IOException e) {
            return false;
        }
    }
}
