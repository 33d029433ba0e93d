package org.bootferry.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one layer contributed, filled by a {@link TarWalk} and kept only once the layer verified:
 * the entries not covered from above, the paths its whiteouts delete and the directories it makes
 * opaque (go into the {@link MergedTree}), and the regular files copied to temporaries. A layer that
 * turns out bad is {@link #discard discarded} and read again, so its files must not outlive it.
 */
final class LayerScan {

    /** A regular file of a layer, copied to a temporary file while the layer was read. */
    record Captured(Path file, Digest digest, long size) {

        void delete() {
            deleteQuietly(file);
        }
    }

    final Map<String, MergedTree.Node> entries = new HashMap<>();
    final Set<String> whiteouts = new HashSet<>();
    final Set<String> opaques = new HashSet<>();
    final Map<String, Captured> captured = new HashMap<>();

    /** Deletes the temporaries of a scan whose layer will be read again. */
    void discard() {
        captured.values().forEach(Captured::delete);
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary the cache's start-up sweep removes
        }
    }
}
