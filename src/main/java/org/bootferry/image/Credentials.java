package org.bootferry.image;

/** A registry user and password (or token used as password). {@link #toString()} never shows the password. */
public record Credentials(String username, String password, String source) {

    @Override
    public String toString() {
        return "user '" + username + "' from " + source;
    }
}
