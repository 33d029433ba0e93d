package org.bootferry.lang;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file so that a crash at any point leaves either its old content or its new, never a torn
 * file, and a reader (a live reload, another process) never sees half of it: the bytes go to a
 * temporary name in the same directory, are synced, renamed over the target (rename(2) is atomic
 * within a file system) and the directory is synced, which makes the rename itself durable.
 */
public final class AtomicFile {

    /** The suffix of a temporary file; one left behind is a write a crash interrupted. */
    public static final String TMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /** Writes {@code content} to {@code target}, replacing what was there. */
    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            if (e instanceof AtomicMoveNotSupportedException) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Makes a rename or delete in {@code dir} durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
