package org.bootferry.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in server.yaml: {@code 20GiB}, {@code 500MB}, {@code 1.5 GiB}, {@code 0}.
 * IEC units (KiB, MiB, GiB, TiB) are powers of 1024, SI units (KB, MB, GB, TB) powers of 1000, so
 * that a limit means what `df -h` or a vendor's data sheet says it does.
 */
final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B|B)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /** The size in bytes; empty when the text is not a size. */
    static Optional<Long> parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "B" -> 1L;
            case "KB" -> 1000L;
            case "MB" -> 1000L * 1000;
            case "GB" -> 1000L * 1000 * 1000;
            case "TB" -> 1000L * 1000 * 1000 * 1000;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            default -> 1L << 40; // TIB, the only unit left that the pattern admits
        };
        double bytes = Double.parseDouble(m.group(1)) * multiplier;
        return bytes > Long.MAX_VALUE ? Optional.empty() : Optional.of((long) bytes);
    }
}
