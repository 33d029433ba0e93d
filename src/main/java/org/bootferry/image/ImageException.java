package org.bootferry.image;

/**
 * Why an image could not give its boot files. Each subclass names one cause and carries a message a
 * user can act on (which registry, which digest, what to change); callers show {@link #getMessage()}.
 */
public class ImageException extends Exception {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
