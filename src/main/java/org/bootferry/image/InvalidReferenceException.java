package org.bootferry.image;

/** An image reference that Docker/OCI tools would not accept either. */
public final class InvalidReferenceException extends ImageException {

    public InvalidReferenceException(String reference, String why) {
        super("invalid image reference '" + reference + "': " + why);
    }
}
