package org.bootferry.image;

import static org.bootferry.image.ImagePaths.normalize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.bootferry.image.LayerScan.Captured;
import org.bootferry.image.MergedTree.Absent;
import org.bootferry.image.MergedTree.Hit;
import org.bootferry.image.MergedTree.Kind;
import org.bootferry.image.MergedTree.Lookup;
import org.bootferry.image.MergedTree.Node;
import org.bootferry.image.MergedTree.Pending;

/**
 * Gets files out of an image's layers without unpacking the image. Layers are read from the top
 * down ({@link TarWalk}) against a lazily built view of the merged filesystem ({@link MergedTree},
 * OCI image-spec layer.md "Applying Changesets"). This class decides which layer to read next: the
 * walk stops as soon as every wanted path has an answer — found, or provably absent because
 * something above hides it; lower layers are then never downloaded. It also owns the temporaries
 * the walks captured, deleting on {@link #close} those not handed out in a {@link Found}.
 */
final class LayerExtractor implements AutoCloseable {

    /** Reads one layer blob, or a byte range of it, through a reader (see {@link RegistryClient#pullBlob}). */
    interface LayerSource {
        /** The whole blob, verified against its digest. */
        <T> T read(Descriptor layer, RegistryClient.BlobReader<T> reader) throws ImageException;

        /**
         * Bytes {@code [offset, offset + length)}, which the reader verifies; empty when the registry
         * ignores Range requests (see {@link RegistryClient#pullRange}).
         */
        <T> Optional<T> readRange(Descriptor layer, long offset, long length,
                RegistryClient.BlobReader<T> reader) throws ImageException;
    }

    /** A wanted path and where it turned out to live. */
    record Found(String requested, String resolved, Descriptor layer, Path file, Digest digest, long size) {
    }

    private final List<Descriptor> topDown;
    private final PullListener listener;
    private final MergedTree tree = new MergedTree();
    private final TarWalk tarWalk;
    private final ChunkedWalk chunkedWalk;
    private final Map<Integer, Map<String, Captured>> captured = new HashMap<>();
    private final Set<Path> handedOut = new HashSet<>();
    private int walked;

    /**
     * @param layersBottomUp as the manifest lists them (base layer first)
     * @param fetches        runs a lazy layer's file fetches beside the calling thread ({@link ChunkedWalk})
     */
    LayerExtractor(List<Descriptor> layersBottomUp, LayerSource source, Path tempDir, PullListener listener,
            Executor fetches) {
        List<Descriptor> reversed = new ArrayList<>(layersBottomUp);
        Collections.reverse(reversed);
        this.topDown = List.copyOf(reversed);
        this.tarWalk = new TarWalk(source, tree, tempDir);
        this.chunkedWalk = new ChunkedWalk(source, tree, tempDir, fetches);
        this.listener = listener;
    }

    /** Layers read so far (top down); the rest were never downloaded. */
    int layersRead() {
        return walked;
    }

    int layerCount() {
        return topDown.size();
    }

    /**
     * Finds each path (absolute, inside the image), reading layers only as far down as needed.
     *
     * @throws BootFileNotFoundException naming the path and why it is not there
     */
    Map<String, Found> extract(Collection<String> paths) throws ImageException {
        List<String> wanted = paths.stream().map(ImagePaths::normalize).distinct().toList();
        while (walked < topDown.size() && !decided(wanted, null, -1)) {
            int index = walked;
            scanNext(TarWalk.Want.paths(wanted, scan -> decided(wanted, scan, index)));
        }
        return collect(paths);
    }

    /**
     * Reads every layer (a choice by convention needs the whole tree), keeping files that match
     * {@code candidate}; afterwards {@link #list()} and {@link #extract} answer from what was read.
     */
    void scanAll(Predicate<String> candidate) throws ImageException {
        while (walked < topDown.size()) {
            scanNext(TarWalk.Want.candidates(candidate));
        }
    }

    /** Every visible path of the layers read so far that resolves to a regular file. */
    List<String> list() {
        return tree.files();
    }

    private Map<String, Found> collect(Collection<String> paths) throws ImageException {
        Map<String, Found> result = new LinkedHashMap<>();
        for (String requested : paths) {
            String path = normalize(requested);
            Lookup l = tree.resolve(path, Map.of());
            if (l instanceof Pending p) {
                throw new BootFileNotFoundException(requested + " is not in the image"
                        + (p.path().equals(path) ? "" : " (it leads to " + p.path() + ", which is missing)"));
            }
            if (l instanceof Absent a) {
                throw new BootFileNotFoundException(requested + " " + a.reason());
            }
            Hit hit = (Hit) l;
            if (hit.node().kind() != Kind.FILE) {
                throw new BootFileNotFoundException(requested + " is not a regular file in the image");
            }
            Captured c = captured.getOrDefault(hit.node().layer(), Map.of()).get(hit.path());
            if (c == null) {
                // Found by a link discovered after its target had been passed: read that layer again.
                rescan(hit.node().layer(), hit.path());
                c = captured.get(hit.node().layer()).get(hit.path());
            }
            handedOut.add(c.file());
            result.put(requested, new Found(requested, hit.path(), topDown.get(hit.node().layer()), c.file(),
                    c.digest(), c.size()));
        }
        return result;
    }

    /**
     * True when every wanted path is found with content or provably absent, given the layers so far
     * plus {@code current}, the scan of {@code layer} in progress (null and -1 between layers).
     */
    private boolean decided(List<String> wanted, LayerScan current, int layer) {
        Map<String, Node> extra = current == null ? Map.of() : current.entries;
        for (String path : wanted) {
            Lookup l = tree.resolve(path, extra);
            if (l instanceof Pending) {
                return false;
            }
            // A file of this layer must be captured before the walk may stop; one in a layer above
            // that was passed before a link to it turned up is read again by collect.
            if (l instanceof Hit h && h.node().kind() == Kind.FILE && h.node().layer() == layer
                    && !current.captured.containsKey(h.path())) {
                return false;
            }
        }
        return true;
    }

    private void scanNext(TarWalk.Want want) throws ImageException {
        int index = walked;
        Descriptor layer = topDown.get(index);
        listener.layerStarted(index, topDown.size(), layer);
        LayerScan scan = walk(layer, index, want);
        tree.addBelow(scan);
        captured.put(index, scan.captured);
        walked++;
        listener.layerFinished(index, layer);
    }

    private void rescan(int index, String path) throws ImageException {
        Descriptor layer = topDown.get(index);
        Captured c = walk(layer, index, TarWalk.Want.only(path)).captured.get(path);
        if (c == null) {
            throw new BootFileNotFoundException(path + " vanished from layer " + layer.digest() + " on a second read");
        }
        captured.computeIfAbsent(index, i -> new HashMap<>()).put(path, c);
    }

    /**
     * A zstd:chunked layer lazily, by its TOC and Range requests; any other layer, or one whose
     * registry ignores Range, whole.
     */
    private LayerScan walk(Descriptor layer, int index, TarWalk.Want want) throws ImageException {
        Optional<ChunkedToc.Position> toc = ChunkedToc.position(layer);
        if (toc.isPresent()) {
            Optional<LayerScan> lazy = chunkedWalk.read(layer, toc.get(), index, want);
            if (lazy.isPresent()) {
                return lazy.get();
            }
        }
        return tarWalk.read(layer, index, want);
    }

    /** Deletes every captured temporary that was not handed out in a {@link Found}. */
    @Override
    public void close() {
        captured.values().forEach(m -> m.values().forEach(c -> {
            if (!handedOut.contains(c.file())) {
                c.delete();
            }
        }));
    }
}
