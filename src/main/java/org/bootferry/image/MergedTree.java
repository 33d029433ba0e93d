package org.bootferry.image;

import static org.bootferry.image.ImagePaths.child;
import static org.bootferry.image.ImagePaths.normalizeDots;
import static org.bootferry.image.ImagePaths.parent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The merged filesystem of the layers read so far, top down, built lazily: only what a walk met,
 * never unpacked. It follows OCI image-spec layer.md:
 * <ul>
 * <li>"Changeset over existing files": an upper layer's entry replaces the same path below, and a
 * non-directory replaces a directory with everything beneath it;</li>
 * <li>"Whiteouts": {@code .wh.<name>} deletes {@code <name>} from lower layers only, so a layer's
 * whiteouts join the tree when the layer is {@link #addBelow added}, not while it is read;</li>
 * <li>"Opaque Whiteout": {@code .wh..wh..opq} hides everything lower layers have in its directory.</li>
 * </ul>
 * Symlinks (absolute or relative, also in parent directories) and hard links resolve inside the
 * image, never on the host. A path not found may still be in a layer not read yet: that is
 * {@link Pending}, as opposed to {@link Absent}, which no lower layer can change.
 */
final class MergedTree {

    enum Kind { FILE, DIR, SYMLINK, HARDLINK, OTHER }

    /** An entry of layer {@code layer} (index top down); {@code link} is a link's target. */
    record Node(Kind kind, String link, int layer) {
    }

    /** Outcome of looking a path up in what is known so far. */
    sealed interface Lookup permits Hit, Absent, Pending {
    }

    /** Found: {@code path} is where the links led, {@code node} what is there. */
    record Hit(String path, Node node) implements Lookup {
    }

    /** Not there whatever lower layers hold; {@code reason} completes "&lt;path&gt; ...". */
    record Absent(String reason) implements Lookup {
    }

    /** Not in the layers read so far and not hidden: a lower layer may still have {@code path}. */
    record Pending(String path) implements Lookup {
    }

    /** As Linux's MAXSYMLINKS: more links on one lookup is taken for a loop. */
    private static final int MAX_LINKS = 40;

    private final Map<String, Node> merged = new HashMap<>();
    private final Set<String> whiteouts = new HashSet<>();
    private final Set<String> opaques = new HashSet<>();

    /** Puts a layer that verified below every layer added before it. */
    void addBelow(LayerScan scan) {
        scan.entries.forEach(merged::putIfAbsent);
        whiteouts.addAll(scan.whiteouts);
        opaques.addAll(scan.opaques);
    }

    /**
     * Whether an entry at {@code path} in the next layer down is invisible: an upper layer has it,
     * deleted it or put a non-directory above it.
     */
    boolean covers(String path) {
        return merged.containsKey(path) || hidden(path);
    }

    /** Every visible path that resolves to a regular file, sorted. */
    List<String> files() {
        return merged.keySet().stream().filter(p -> resolve(p, Map.of()) instanceof Hit h
                && h.node().kind() == Kind.FILE).sorted().toList();
    }

    /**
     * Whether any wanted path, followed through links known so far ({@code current}: the layer being
     * read), is {@code path}: then that file must be kept.
     */
    boolean leadsTo(List<String> wanted, Map<String, Node> current, String path) {
        for (String w : wanted) {
            Lookup l = resolve(w, current);
            String target = l instanceof Hit h ? h.path() : l instanceof Pending p ? p.path() : null;
            if (path.equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** Deleted by a whiteout above, inside an opaque directory above, or under a non-directory above. */
    private boolean hidden(String path) {
        for (String p = path; !p.equals("/"); p = parent(p)) {
            if (whiteouts.contains(p)) {
                return true;
            }
            String up = parent(p);
            if (opaques.contains(up)) {
                return true;
            }
            Node above = merged.get(up);
            if (above != null && above.kind() != Kind.DIR) {
                return true;
            }
        }
        return false;
    }

    /**
     * Follows {@code path} through the layers read so far ({@code current}: the entries of the layer
     * being read, below all of them), component by component, symlinks resolved relative to their
     * directory and kept inside the image's root (like chroot: ".." at / stays at /).
     */
    Lookup resolve(String path, Map<String, Node> current) {
        Deque<String> rest = new ArrayDeque<>(List.of(path.substring(1).split("/")));
        String at = "/";
        int links = 0;
        while (!rest.isEmpty()) {
            String name = rest.poll();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                at = parent(at);
                continue;
            }
            String next = child(at, name);
            Node node = merged.get(next);
            if (node == null && !hidden(next)) {
                node = current.get(next);
            }
            if (node == null) {
                if (hidden(next)) {
                    return new Absent(next.equals(path) ? "was deleted by a whiteout in an upper layer"
                            : "leads to " + next + ", which an upper layer deleted");
                }
                if (rest.isEmpty()) {
                    return new Pending(next);
                }
                at = next; // parent directories are often not listed in a layer's tar
                continue;
            }
            switch (node.kind()) {
                case SYMLINK, HARDLINK -> {
                    if (++links > MAX_LINKS) {
                        return new Absent("has a symlink loop at " + next);
                    }
                    String target = node.kind() == Kind.HARDLINK || node.link().startsWith("/") ? node.link()
                            : child(at, node.link());
                    List<String> parts = new ArrayList<>(List.of(normalizeDots(target).substring(1).split("/")));
                    parts.addAll(rest);
                    rest = new ArrayDeque<>(parts);
                    at = "/";
                }
                case DIR -> at = next;
                default -> {
                    if (!rest.isEmpty()) {
                        return new Absent("leads through " + next + ", which is not a directory");
                    }
                    return new Hit(next, node);
                }
            }
        }
        return at.equals("/") ? new Absent("is the root directory") : merged.containsKey(at)
                || current.containsKey(at) ? new Absent("is a directory (" + at + ")") : new Pending(at);
    }
}
