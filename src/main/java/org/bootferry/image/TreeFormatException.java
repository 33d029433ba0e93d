package org.bootferry.image;

/** An install tree's {@code .treeinfo} or {@code SHA256SUMS} that can't be read as one. */
public final class TreeFormatException extends ImageException {

    public TreeFormatException(String message) {
        super(message);
    }
}
