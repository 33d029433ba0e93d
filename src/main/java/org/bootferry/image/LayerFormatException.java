package org.bootferry.image;

/** A layer whose bytes match their digest but are not a readable (compressed) tar. */
public final class LayerFormatException extends ImageException {

    public LayerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
