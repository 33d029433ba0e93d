package org.bootferry.image;

/** A kernel or initrd path that the image does not hold (absent, deleted by a whiteout, a directory, a dangling link). */
public final class BootFileNotFoundException extends ImageException {

    public BootFileNotFoundException(String message) {
        super(message);
    }
}
