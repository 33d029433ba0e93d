package org.bootferry.image;

/** The registry (or its token server) refused us: missing or wrong credentials, or no access to the repository. */
public final class RegistryAuthenticationException extends ImageException {

    public RegistryAuthenticationException(String message) {
        super(message);
    }
}
