package org.bootferry.image;

import java.nio.file.Path;

/**
 * One file taken out of an image and cached.
 *
 * @param imagePath    the path asked for (or chosen by convention), e.g. {@code /boot/vmlinuz}
 * @param resolvedPath where it really is after symlinks and hard links, e.g. {@code /boot/vmlinuz-6.1.0}
 * @param layer        the layer that held it
 * @param path         the cached file on this host (content-addressed, read-only by convention)
 * @param digest       SHA-256 of its bytes (an HTTP ETag for it)
 */
public record ImageFile(String imagePath, String resolvedPath, Digest layer, Path path, Digest digest, long size)
        implements CachedFile {
}
