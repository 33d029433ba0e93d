package org.bootferry.image;

/** Pull policy Never, and the image (or the requested files of it) is not in the cache. */
public final class NotCachedException extends ImageException {

    public NotCachedException(ImageReference reference, String what) {
        super("image " + reference + " is not cached (" + what + ") and imagePullPolicy is Never: run "
                + "'bootferry pull " + reference + "' or use IfNotPresent");
    }
}
