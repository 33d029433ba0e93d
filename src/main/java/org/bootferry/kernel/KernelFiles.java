package org.bootferry.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.bootferry.lang.BoundedCache;

/**
 * The formats of kernel files on this host's disk. Planning asks on every DHCP packet, so a file is
 * looked at (a stat, some microseconds) at most once per {@link #RECHECK} and read again only when
 * its size or modification time changed: a kernel replaced in place is seen within a second.
 */
public final class KernelFiles {

    /** How long a file's format is taken as known without looking at the file again. */
    public static final Duration RECHECK = Duration.ofSeconds(1);

    /** What a file was when last looked at, and when that was. */
    private record Seen(long size, long modified, KernelFormat format, long atNanos) {
    }

    /** Per path, what it was last seen as; a handful of kernels in practice. */
    private static final BoundedCache<Path, AtomicReference<Seen>> SEEN = new BoundedCache<>(1024);

    private KernelFiles() {
    }

    /** The format of the file, decoded from its first {@link KernelDecoder#HEAD_BYTES}. */
    public static KernelFormat read(Path file) throws IOException {
        AtomicReference<Seen> last = SEEN.get(file, f -> new AtomicReference<>());
        Seen seen = last.get();
        long now = System.nanoTime();
        if (seen != null && now - seen.atNanos() < RECHECK.toNanos()) {
            return seen.format();
        }
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        long size = attrs.size();
        long modified = attrs.lastModifiedTime().toMillis();
        KernelFormat format = seen != null && seen.size() == size && seen.modified() == modified ? seen.format()
                : KernelDecoder.decode(head(file));
        last.set(new Seen(size, modified, format, now));
        return format;
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(KernelDecoder.HEAD_BYTES);
        }
    }
}
