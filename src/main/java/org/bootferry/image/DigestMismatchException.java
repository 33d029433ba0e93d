package org.bootferry.image;

/** Bytes from the registry whose SHA-256 is not the one the manifest promised; they are never cached or served. */
public final class DigestMismatchException extends ImageException {

    private final Digest expected;
    private final Digest actual;

    public DigestMismatchException(String what, Digest expected, Digest actual) {
        super(what + ": digest mismatch, expected " + expected + " but the registry sent " + actual
                + " (corrupt upload, proxy or cache in between)");
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
