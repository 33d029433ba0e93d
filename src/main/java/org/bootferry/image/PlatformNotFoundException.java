package org.bootferry.image;

/** The image has no variant for the platform of the machine being booted. */
public final class PlatformNotFoundException extends ImageException {

    public PlatformNotFoundException(ImageReference reference, Platform wanted, String available) {
        super("image " + reference + " has no " + wanted + " variant (it has: " + available + ")");
    }
}
