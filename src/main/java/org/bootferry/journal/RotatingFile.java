package org.bootferry.journal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Supplier;

/**
 * A file of lines appended to and rotated by size ({@link JournalRotation}, asked for at every
 * append, so an edit applies to the next one): {@code NAME} → {@code NAME.1} → … → {@code NAME.keep},
 * then gone. A file is rotated before the line that would take it past the size, never in the middle
 * of one. Not thread-safe: its owner appends from one thread at a time.
 */
final class RotatingFile implements AutoCloseable {

    private final Path file;
    private final Supplier<JournalRotation> rotation;
    private Writer out;
    private long size;

    RotatingFile(Path file, Supplier<JournalRotation> rotation) throws IOException {
        this.file = file;
        this.rotation = rotation;
        Files.createDirectories(file.toAbsolutePath().getParent());
        open();
    }

    /** Appends each line and a newline, rotating first whenever a line would not fit; then flushes. */
    void append(List<String> lines) throws IOException {
        JournalRotation now = rotation.get();
        for (String line : lines) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            if (size > 0 && size + bytes.length > now.maxBytes()) {
                rotate(now.keep());
            }
            out.write(line);
            out.write('\n');
            size += bytes.length;
        }
        out.flush();
    }

    /** Shifts {@code NAME.i} to {@code NAME.i+1} from the oldest kept down, deleting what falls beyond {@code keep}. */
    private void rotate(int keep) throws IOException {
        out.close();
        try {
            for (int i = keep + 1; Files.exists(numbered(i)); i++) {
                Files.delete(numbered(i)); // kept before a reload lowered keep
            }
            Files.deleteIfExists(numbered(keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(numbered(i))) {
                    Files.move(numbered(i), numbered(i + 1), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.move(file, numbered(1), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            // A new file after a rotation; the same one after a failed one, which the next append tries again.
            open();
        }
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    private void open() throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
