package org.bootferry.dhcp6;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of bytes from the wire (a DUID's identifier, a class's data, an interface-id),
 * compared by content so that decoded options are equal when their bytes are.
 */
public record Opaque(byte[] bytes) {

    public Opaque {
        bytes = bytes.clone();
    }

    public static Opaque ascii(String text) {
        return new Opaque(text.getBytes(StandardCharsets.US_ASCII));
    }

    public static Opaque hex(String hex) {
        return new Opaque(HexFormat.of().parseHex(hex));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The bytes as text, each byte one character (ISO-8859-1), for class names like "PXEClient:Arch:…". */
    public String text() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Opaque other && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
