package org.bootferry.image;

import java.net.URI;

/** A file of an install tree whose bytes are not those the tree's checksums name; it is never cached or served. */
public final class TreeChecksumException extends ImageException {

    public TreeChecksumException(URI url, String listedIn, Digest expected, Digest actual) {
        super(url + ": checksum mismatch, " + listedIn + " lists " + expected + " but the mirror sent " + actual
                + " (a tampered or half-synced mirror, or a proxy in between); nothing was kept");
    }
}
