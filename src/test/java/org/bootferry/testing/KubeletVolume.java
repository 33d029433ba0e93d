package org.bootferry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A directory as the kubelet projects a ConfigMap or Secret volume into a pod, and updates it when
 * the object changes: the steps of {@code Writer.Write} in kubernetes' {@code
 * pkg/volume/util/atomic_writer.go} (kubelet 1.2x), in their order. The files live in a hidden
 * timestamped directory {@code ..2026_12_03_21_04_05.NNNN}; {@code ..data} links to it; each
 * top-level name is a link {@code NAME -> ..data/NAME}. An update writes a new timestamped
 * directory, points a new link {@code ..data_tmp} at it, renames that over {@code ..data} (the one
 * atomic step), adds links for new names, removes links of names gone and deletes the old directory.
 */
public final class KubeletVolume {

    private static final String DATA = "..data";
    private static final String DATA_TMP = "..data_tmp";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss'.'");

    private final Path dir;

    /** @param dir the volume's mount point; made if missing (the kubelet makes nested mount points too) */
    public KubeletVolume(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Projects exactly {@code payload} (path relative to the volume, e.g. {@code NAME.json} or
     * {@code sub/file} → content), replacing what an earlier write projected; nothing happens when
     * the content is unchanged, as with the kubelet.
     */
    public void write(Map<String, byte[]> payload) throws IOException {
        Path data = dir.resolve(DATA);
        Path oldTimestamped = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        // (3) the user-visible names the new payload drops, (4) whether anything changed at all
        Set<String> remove = oldTimestamped == null ? Set.of() : pathsToRemove(payload, oldTimestamped);
        if (oldTimestamped != null && remove.isEmpty() && unchanged(payload, oldTimestamped)) {
            return;
        }
        // (5) a new timestamped directory, mode 0755 whatever the umask; (6) the payload in it
        Path timestamped = Files.createTempDirectory(dir, ZonedDateTime.now(ZoneOffset.UTC).format(TIMESTAMP));
        Files.setPosixFilePermissions(timestamped, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Map.Entry<String, byte[]> file : payload.entrySet()) {
            Path target = timestamped.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
        // (8) ..data_tmp -> the new directory, (9) renamed over ..data: rename(2) replaces it atomically
        Path dataTmp = dir.resolve(DATA_TMP);
        Files.createSymbolicLink(dataTmp, timestamped.getFileName());
        Files.move(dataTmp, data, StandardCopyOption.ATOMIC_MOVE);
        // (10) a link for each new top-level name
        for (String path : payload.keySet()) {
            String name = topLevel(path);
            Path visible = dir.resolve(name);
            if (!Files.exists(visible, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(visible, Path.of(DATA, name));
            }
        }
        // (11) the links of names gone (only top-level ones: the rest went with their directory)
        for (String path : remove) {
            if (!path.contains("/")) {
                Files.delete(dir.resolve(path));
            }
        }
        // (12) the previous timestamped directory
        if (oldTimestamped != null) {
            deleteTree(oldTimestamped);
        }
    }

    /** Projects text files. */
    public void writeText(Map<String, String> payload) throws IOException {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        payload.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        write(bytes);
    }

    private static String topLevel(String path) {
        int slash = path.indexOf('/');
        return slash < 0 ? path : path.substring(0, slash);
    }

    /** Every path under the old directory that is neither in the payload nor a directory above one of it. */
    private static Set<String> pathsToRemove(Map<String, byte[]> payload, Path oldTimestamped) throws IOException {
        Set<String> keep = new HashSet<>();
        for (String path : payload.keySet()) {
            for (Path p = Path.of(path); p != null; p = p.getParent()) {
                keep.add(p.toString());
            }
        }
        Set<String> remove = new HashSet<>();
        try (Stream<Path> old = Files.walk(oldTimestamped)) {
            old.filter(p -> !p.equals(oldTimestamped)).map(p -> oldTimestamped.relativize(p).toString())
                    .filter(p -> !keep.contains(p)).forEach(remove::add);
        }
        return remove;
    }

    private static boolean unchanged(Map<String, byte[]> payload, Path oldTimestamped) throws IOException {
        for (Map.Entry<String, byte[]> file : payload.entrySet()) {
            Path old = oldTimestamped.resolve(file.getKey());
            if (!Files.isRegularFile(old) || !Arrays.equals(Files.readAllBytes(old), file.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
