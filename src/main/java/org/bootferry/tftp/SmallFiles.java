package org.bootferry.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The files many clients read at once (the loaders: every machine of a boot storm reads the same
 * 1 MiB {@code ipxe.efi}) served from one in-memory copy each, shared by every transfer: such a
 * transfer holds no file descriptor and no read buffer of its own, only its socket. Measured in a
 * 10,000-machine storm before this: each transfer held a 32 KiB read-ahead buffer (116 MiB of direct
 * memory at ~3,600 transfers) and a file descriptor beside its socket's (docs/benchmarks.md).
 *
 * <p>A copy is used while the file on disk is the same one (its file key, size and modification
 * time); a replaced or rewritten file is read again. Files over {@value #MAX_FILE} bytes are streamed
 * from disk per transfer instead ({@link TftpFile#of(FileChannel)}); copies past {@value #MAX_TOTAL}
 * bytes in all are let go, least recently opened first. Thread-safe.
 */
final class SmallFiles {

    static final int MAX_FILE = 8 << 20;
    static final long MAX_TOTAL = 64L << 20;

    private record Copy(Object fileKey, long size, long modified, byte[] bytes) {
        boolean sameFile(BasicFileAttributes attributes) {
            return Objects.equals(fileKey, attributes.fileKey()) && size == attributes.size()
                    && modified == attributes.lastModifiedTime().toMillis();
        }
    }

    private final Map<Path, Copy> copies = new LinkedHashMap<>(16, 0.75f, true);
    private final long maxFile;
    private final long maxTotal;
    private long total;

    SmallFiles() {
        this(MAX_FILE, MAX_TOTAL);
    }

    /**
     * @param maxFile  the largest file copied, at most {@value #MAX_FILE}
     * @param maxTotal bytes in all copies at most
     */
    SmallFiles(long maxFile, long maxTotal) {
        if (maxFile > MAX_FILE || maxFile > maxTotal) {
            throw new IllegalArgumentException("maxFile " + maxFile + " must be at most " + MAX_FILE + " and maxTotal " + maxTotal);
        }
        this.maxFile = maxFile;
        this.maxTotal = maxTotal;
    }

    /**
     * {@code real} (a path with no links in it) as a TftpFile: the shared copy when the file is small,
     * else a stream of its own. Links are not followed.
     */
    TftpFile open(Path real) throws IOException {
        BasicFileAttributes before = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Copy copy = cached(real, before);
        if (copy != null) {
            return TftpFile.of(copy.bytes());
        }
        FileChannel channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        if (before.size() > maxFile) {
            try {
                return TftpFile.of(channel);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }
        byte[] bytes;
        try (channel) {
            bytes = readAll(channel, real, maxFile);
        }
        BasicFileAttributes after = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Copy read = new Copy(before.fileKey(), bytes.length, before.lastModifiedTime().toMillis(), bytes);
        if (read.sameFile(after)) {
            // Unchanged while read: the copy is the file. Else it is served once and read again next time.
            keep(real, read);
        }
        return TftpFile.of(bytes);
    }

    private synchronized Copy cached(Path real, BasicFileAttributes now) {
        Copy copy = copies.get(real);
        if (copy != null && !copy.sameFile(now)) {
            forget(real);
            return null;
        }
        return copy;
    }

    private synchronized void keep(Path real, Copy copy) {
        forget(real);
        copies.put(real, copy);
        total += copy.bytes().length;
        for (Iterator<Copy> oldest = copies.values().iterator(); total > maxTotal && oldest.hasNext(); ) {
            total -= oldest.next().bytes().length;
            oldest.remove();
        }
    }

    private void forget(Path real) {
        Copy gone = copies.remove(real);
        if (gone != null) {
            total -= gone.bytes().length;
        }
    }

    /** Bytes held in copies now; for tests. */
    synchronized long heldBytes() {
        return total;
    }

    private static byte[] readAll(FileChannel channel, Path real, long maxFile) throws IOException {
        long size = channel.size();
        if (size > maxFile) {
            throw new IOException(real + " grew past " + maxFile + " bytes while opened");
        }
        ByteBuffer into = ByteBuffer.allocate((int) size);
        while (into.hasRemaining()) {
            if (channel.read(into, into.position()) < 0) {
                throw new IOException(real + " shrank to " + into.position() + " bytes while read (was " + size + ")");
            }
        }
        return into.array();
    }
}
