package org.bootferry.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A content digest as OCI writes it, {@code sha256:<64 hex>} (OCI image-spec descriptor.md, "Digests").
 * Only SHA-256 is accepted: it is the one every registry uses, and the one we can verify.
 */
public record Digest(String hex) {

    public Digest {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("not a SHA-256 hex string: " + hex);
        }
    }

    /**
     * Parses {@code sha256:…}; null when it is not one. Checked by hand, not by a regex: a zstd:chunked
     * TOC has two digests per chunk, tens of thousands of them, parsed while a boot waits.
     */
    public static Digest parseOrNull(String text) {
        if (text == null || text.length() != 71 || !text.startsWith("sha256:")) {
            return null;
        }
        for (int i = 7; i < 71; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return null;
            }
        }
        return new Digest(text.substring(7));
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
