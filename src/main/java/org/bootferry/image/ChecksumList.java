package org.bootferry.image;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code SHA256SUMS} file as Debian and Ubuntu publish beside their installer images
 * ({@code dists/<suite>/main/installer-<arch>/current/images/SHA256SUMS}): GNU {@code sha256sum}'s
 * output, one {@code <64 hex>  ./netboot/debian-installer/amd64/linux} a line (two spaces, or a space
 * and {@code *} for binary mode; coreutils manual, "sha256sum": "md5sum invocation" describes the
 * format). Paths are relative to the file's directory and start with {@code ./}. Pure.
 *
 * @param sums path without its leading {@code ./} → digest
 */
public record ChecksumList(Map<String, Digest> sums) {

    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    public ChecksumList {
        sums = Map.copyOf(sums);
    }

    /**
     * @param where named in errors, e.g. the file's URL
     * @throws TreeFormatException naming the line that is not a checksum line
     */
    public static ChecksumList parse(String text, String where) throws TreeFormatException {
        Map<String, Digest> sums = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(lines[i]);
            if (!m.matches()) {
                throw new TreeFormatException(where + ":" + (i + 1) + ": '" + lines[i]
                        + "' is not '<sha256 hex>  <path>' (sha256sum's format)");
            }
            sums.put(relative(m.group(2)), new Digest(m.group(1).toLowerCase(Locale.ROOT)));
        }
        return new ChecksumList(sums);
    }

    /** The digest listed for {@code path} (relative to the file's directory, with or without {@code ./}). */
    public Optional<Digest> sha256(String path) {
        return Optional.ofNullable(sums.get(relative(path)));
    }

    private static String relative(String path) {
        return path.startsWith("./") ? path.substring(2) : path;
    }
}
