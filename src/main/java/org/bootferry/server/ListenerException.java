package org.bootferry.server;

/** A listener could not start; the message says what to do about it. */
public final class ListenerException extends RuntimeException {

    public ListenerException(String message, Throwable cause) {
        super(message, cause);
    }
}
