package org.bootferry.image;

import java.net.URI;
import java.nio.file.Path;

/**
 * One file of an install tree, fetched and cached.
 *
 * @param treePath where the tree says it is, relative to the tree ({@code images/pxeboot/vmlinuz})
 * @param url      where it was fetched from
 * @param path     the cached file on this host (content-addressed)
 * @param digest   SHA-256 of its bytes (an HTTP ETag for it)
 * @param verified whether the tree published a checksum that the bytes matched; false when it
 *                 published none for the file
 */
public record TreeFile(String treePath, URI url, Path path, Digest digest, long size, boolean verified)
        implements CachedFile {
}
