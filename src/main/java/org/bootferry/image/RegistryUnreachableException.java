package org.bootferry.image;

/** The registry did not answer usefully after every retry: down, resetting, stalling or failing with 5xx. */
public final class RegistryUnreachableException extends ImageException {

    public RegistryUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
