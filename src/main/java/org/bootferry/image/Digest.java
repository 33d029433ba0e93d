package org.bootferry.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as OCI writes it, {@code sha256:<64 hex>} (OCI image-spec descriptor.md, "Digests").
 * Only SHA-256 is accepted: it is the one every registry uses, and the one we can verify.
 */
public record Digest(String hex) {

    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

    public Digest {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("not a SHA-256 hex string: " + hex);
        }
    }

    /** Parses {@code sha256:…}; null when it is not one. */
    public static Digest parseOrNull(String text) {
        return text != null && SHA256.matcher(text).matches() ? new Digest(text.substring(7)) : null;
    }

    public static Digest of(byte[] content) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(content)));
    }

    public static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The first 12 hex digits, as docker prints layer ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
