package org.bootferry.dhcp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One DHCP option: its code and its value bytes (any length: the codec splits values over 255 bytes
 * into several instances and joins them again, RFC 3396).
 */
public record DhcpOption(int code, byte[] value) {

    public DhcpOption {
        if (code <= DhcpOptionCode.PAD || code >= DhcpOptionCode.END) {
            throw new IllegalArgumentException("option code " + code + " is PAD/END or out of range");
        }
        value = value.clone();
    }

    public static DhcpOption ofString(int code, String text) {
        return new DhcpOption(code, text.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value as text (ISO-8859-1, so every byte survives), trailing NULs dropped: clients send both forms. */
    public String text() {
        int end = value.length;
        while (end > 0 && value[end - 1] == 0) {
            end--;
        }
        return new String(value, 0, end, StandardCharsets.ISO_8859_1);
    }

    public int length() {
        return value.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpOption other && other.code == code && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return code + "=" + HexFormat.of().formatHex(value);
    }
}
