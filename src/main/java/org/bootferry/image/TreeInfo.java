package org.bootferry.image;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An install tree's {@code .treeinfo}, parsed: the INI file Fedora, RHEL and their rebuilds publish at
 * the root of every tree, which {@code virt-install --location} and anaconda read to find the
 * installer's kernel and initrd. Pure: text in, record out.
 *
 * <p>The format is productmd's (its doc/treeinfo-1.0.rst and treeinfo-1.1.rst, "[header] version = 1.2" today): {@code [header]}
 * {@code type = productmd.treeinfo}; {@code [tree] arch}; per platform an {@code [images-<platform>]}
 * section whose {@code kernel} and {@code initrd} keys are paths relative to the tree
 * ({@code images/pxeboot/vmlinuz}); {@code [checksums]} maps such paths to {@code sha256:<hex>}.
 * productmd still writes the pre-productmd {@code [general]} section (with {@code arch}) for old
 * readers, and trees from before productmd (CentOS 6) have only that one; their Xen kernels sit under
 * {@code [images-xen]}, which a tree whose arch is the machine's gives when it has no section for
 * the arch itself.
 *
 * @param sections section name → key → value, in file order; names and keys as written
 */
public record TreeInfo(Map<String, Map<String, String>> sections) {

    /** A kernel and an initrd the tree names for one platform, as paths relative to the tree. */
    public record Images(String section, String kernel, String initrd) {
    }

    public TreeInfo {
        sections = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sections));
    }

    /**
     * Parses {@code .treeinfo} text (Python configparser's syntax, which productmd writes: {@code key =
     * value}, {@code #} and {@code ;} comments, indented continuation lines).
     *
     * @param where named in errors, e.g. the tree's URL
     * @throws TreeFormatException naming the line when the text is not such a file
     */
    public static TreeInfo parse(String text, String where) throws TreeFormatException {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        String lastKey = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0)) && current != null && lastKey != null) {
                current.merge(lastKey, trimmed, (a, b) -> a + "\n" + b);
                continue;
            }
            if (trimmed.startsWith("[")) {
                if (!trimmed.endsWith("]") || trimmed.length() < 3) {
                    throw new TreeFormatException(where + ":" + (i + 1) + ": section header '" + trimmed
                            + "' is not [name]");
                }
                current = sections.computeIfAbsent(trimmed.substring(1, trimmed.length() - 1).strip(),
                        k -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = indexOfSeparator(trimmed);
            if (eq <= 0) {
                throw new TreeFormatException(where + ":" + (i + 1) + ": '" + trimmed + "' is not 'key = value'");
            }
            if (current == null) {
                throw new TreeFormatException(where + ":" + (i + 1) + ": 'key = value' before any [section]");
            }
            lastKey = trimmed.substring(0, eq).strip();
            current.put(lastKey, trimmed.substring(eq + 1).strip());
        }
        if (!sections.containsKey("tree") && !sections.containsKey("general")) {
            throw new TreeFormatException(where + ": neither a [tree] nor a [general] section: not a .treeinfo");
        }
        Map<String, Map<String, String>> frozen = new LinkedHashMap<>();
        sections.forEach((name, keys) -> frozen.put(name, Map.copyOf(keys)));
        return new TreeInfo(frozen);
    }

    /** configparser takes the first '=' or ':' as the separator. */
    private static int indexOfSeparator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    /** The tree's architecture in its own words ({@code x86_64}, {@code aarch64}): [tree], else [general]. */
    public Optional<String> arch() {
        return value("tree", "arch").or(() -> value("general", "arch"));
    }

    /**
     * The kernel and initrd for {@code arch} (RPM's name: {@code x86_64}, {@code aarch64}):
     * {@code [images-<arch>]}, else {@code [images-xen]} of a tree of that arch. Empty when the tree
     * names none for it.
     */
    public Optional<Images> images(String arch) {
        Optional<Images> own = images("images-" + arch, sections.get("images-" + arch));
        if (own.isPresent()) {
            return own;
        }
        boolean treeOfArch = arch().map(a -> a.equalsIgnoreCase(arch)).orElse(false);
        return treeOfArch ? images("images-xen", sections.get("images-xen")) : Optional.empty();
    }

    private static Optional<Images> images(String section, Map<String, String> keys) {
        if (keys == null || keys.get("kernel") == null || keys.get("initrd") == null) {
            return Optional.empty();
        }
        return Optional.of(new Images(section, keys.get("kernel"), keys.get("initrd")));
    }

    /**
     * The SHA-256 {@code [checksums]} gives for a path of the tree. Empty when it lists none for it.
     *
     * @throws TreeFormatException when it lists one in another algorithm or not as {@code sha256:<hex>}
     */
    public Optional<Digest> sha256(String path) throws TreeFormatException {
        Optional<String> sum = value("checksums", path);
        if (sum.isEmpty()) {
            return Optional.empty();
        }
        Digest d = Digest.parseOrNull(sum.get().toLowerCase(Locale.ROOT));
        if (d == null) {
            throw new TreeFormatException("[checksums] " + path + " = " + sum.get() + ": not sha256:<64 hex digits>"
                    + " (the only algorithm bootferry verifies)");
        }
        return Optional.of(d);
    }

    /** The platforms the tree has images for, for the error when the machine's is not one of them. */
    public String platforms() {
        return String.join(", ", sections.keySet().stream().filter(s -> s.startsWith("images-"))
                .map(s -> s.substring("images-".length())).toList());
    }

    private Optional<String> value(String section, String key) {
        return Optional.ofNullable(sections.get(section)).map(s -> s.get(key));
    }
}
