package org.bootferry.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.bootferry.lang.BoundedCache;

/**
 * The formats of kernel files on this host's disk, read once per file version (path, size, mtime):
 * planning asks on every DHCP packet, and an edited file is a new version.
 */
public final class KernelFiles {

    private record Version(Path path, long size, long modified) {
    }

    /** A handful of kernels in practice. */
    private static final BoundedCache<Version, KernelFormat> FORMATS = new BoundedCache<>(1024);

    private KernelFiles() {
    }

    /** The format of the file as it is now, decoded from its first {@link KernelDecoder#HEAD_BYTES}. */
    public static KernelFormat read(Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        Version version = new Version(file, attrs.size(), attrs.lastModifiedTime().toMillis());
        try {
            return FORMATS.get(version, v -> {
                FORMATS.forget(old -> old.path().equals(file));
                return KernelDecoder.decode(head(file));
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(KernelDecoder.HEAD_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
