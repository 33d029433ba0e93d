package org.bootferry.image;

/** A manifest we refuse to use: Docker schema 1 (unsigned digests, no platform data) or an unknown media type. */
public final class UnsupportedManifestException extends ImageException {

    public UnsupportedManifestException(String message) {
        super(message);
    }
}
