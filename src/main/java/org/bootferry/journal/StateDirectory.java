package org.bootferry.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The state directory, claimed before anything is written to it. A marker file says the directory
 * is bootferry's and in which format, so that a mistyped {@code --state} (say {@code /var/lib}) is
 * refused instead of filled with {@code installed/}, and a later bootferry can tell an older layout
 * from its own. Directories written before the marker existed are recognised by their contents.
 */
public final class StateDirectory {

    /** The marker's name in the state directory. */
    public static final String MARKER = "bootferry-state";
    /**
     * The layout this version writes: {@code installed/<mac>}, {@code events.jsonl},
     * {@code discovered.json}, {@code capability.key} (files an older version of this format ignores,
     * so no new format).
     */
    static final int FORMAT = 1;

    private StateDirectory() {
    }

    /**
     * Creates the directory if needed, checks it can be written, and marks it as ours.
     *
     * @throws IOException saying why the directory can't be used (not writable, another program's
     *                     files, a newer format); the caller adds which setting chooses another
     */
    public static void claim(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            int format = format(Files.readString(marker, StandardCharsets.UTF_8)).orElse(FORMAT);
            if (format > FORMAT) {
                throw new IOException("it was written by a newer bootferry (state format " + format
                        + "; this one knows " + FORMAT + ")");
            }
            probeWritable(dir);
            return;
        }
        List<String> foreign = foreignEntries(dir);
        if (!foreign.isEmpty()) {
            throw new IOException("it holds files that are not bootferry's (" + String.join(", ", foreign)
                    + ") and no " + MARKER + " marker; choose an empty directory");
        }
        Path tmp = dir.resolve(MARKER + ".tmp");
        Files.writeString(tmp, "bootferry state directory\nformat " + FORMAT + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, marker, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * What in an unmarked directory is not ours. Conservative: older bootferry wrote no marker, so
     * {@code installed/} and {@code events.jsonl*} count as ours, and what file systems and mounts
     * put in an empty volume ({@code lost+found}, dot files) counts as nothing.
     */
    private static List<String> foreignEntries(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals("installed") && !name.startsWith("events.jsonl")
                            && !name.startsWith(DiscoveredMachines.FILE) && !name.equals(CapabilityKey.FILE)
                            && !name.equals("lost+found") && !name.startsWith(".") && !name.startsWith(MARKER))
                    .sorted().limit(5).toList();
        }
    }

    /** An existing marker proves nothing about permissions now (a root-owned directory, a read-only mount). */
    private static void probeWritable(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
        Files.delete(probe);
    }

    static Optional<Integer> format(String marker) {
        return marker.lines().map(String::strip).filter(l -> l.startsWith("format "))
                .map(l -> l.substring("format ".length()).strip())
                .filter(v -> v.matches("\\d{1,9}")).map(Integer::valueOf).findFirst();
    }
}
