package org.bootferry.image;

import java.nio.file.Path;

/** A boot file fetched from where it lives (an image layer, an install tree) and cached on this host. */
public interface CachedFile {

    /** The cached file on this host (content-addressed). */
    Path path();

    /** SHA-256 of its bytes (an HTTP ETag for it). */
    Digest digest();

    long size();
}
