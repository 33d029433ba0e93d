package org.bootferry.image;

/** An install tree's mirror could not be asked: no connection, a timeout, or a server error. */
public final class MirrorUnreachableException extends ImageException {

    public MirrorUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
