package org.bootferry.image;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Gets files out of an image's layers without unpacking the image. Layers are read from the top
 * down against a lazily built view of the merged filesystem (OCI image-spec layer.md, "Applying
 * Changesets"): an upper layer's entry hides the same path below, {@code .wh.<name>} deletes
 * {@code <name>} from lower layers, {@code .wh..wh..opq} hides everything a lower layer has in its
 * directory, and a non-directory hides whatever lower layers have beneath it. Symlinks (absolute or
 * relative, also in parent directories) and hard links resolve inside the image, never on the host.
 * The walk stops as soon as every wanted path has an answer — found, or provably absent because
 * something above hides it; lower layers are then never downloaded. Bytes of a layer count only
 * after the whole layer matched its digest (the {@link LayerSource} drains and verifies it).
 */
final class LayerExtractor implements AutoCloseable {

    /** Reads one layer blob through a reader, verifying it (see {@link RegistryClient#pullBlob}). */
    interface LayerSource {
        <T> T read(Descriptor layer, RegistryClient.BlobReader<T> reader) throws ImageException;
    }

    /** A wanted path and where it turned out to live. */
    record Found(String requested, String resolved, Descriptor layer, Path file, Digest digest, long size) {
    }

    private enum Kind { FILE, DIR, SYMLINK, HARDLINK, OTHER }

    private record Node(Kind kind, String link, int layer) {
    }

    private record Captured(Path file, Digest digest, long size) {
    }

    /** What one layer contributed, kept only once the layer verified. */
    private static final class LayerScan {
        final Map<String, Node> entries = new HashMap<>();
        final Set<String> whiteouts = new HashSet<>();
        final Set<String> opaques = new HashSet<>();
        final Map<String, Captured> captured = new HashMap<>();
    }

    /** Outcome of looking a path up in what is known so far. */
    private sealed interface Lookup {
    }

    private record Hit(String path, Node node) implements Lookup {
    }

    private record Absent(String reason) implements Lookup {
    }

    /** Not in the layers read so far and not hidden: a lower layer may still have {@code path}. */
    private record Pending(String path) implements Lookup {
    }

    private static final int MAX_LINKS = 40;

    private final List<Descriptor> topDown;
    private final LayerSource source;
    private final Path tempDir;
    private final PullListener listener;
    private final Map<String, Node> merged = new HashMap<>();
    private final Set<String> whiteouts = new HashSet<>();
    private final Set<String> opaques = new HashSet<>();
    private final Map<Integer, Map<String, Captured>> captured = new HashMap<>();
    private final Set<Path> handedOut = new HashSet<>();
    private int walked;

    /** @param layersBottomUp as the manifest lists them (base layer first) */
    LayerExtractor(List<Descriptor> layersBottomUp, LayerSource source, Path tempDir, PullListener listener) {
        List<Descriptor> reversed = new ArrayList<>(layersBottomUp);
        java.util.Collections.reverse(reversed);
        this.topDown = List.copyOf(reversed);
        this.source = source;
        this.tempDir = tempDir;
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
        List<String> wanted = paths.stream().map(LayerExtractor::normalize).distinct().toList();
        while (walked < topDown.size() && !decided(wanted, null, -1)) {
            scanNext(wanted, p -> false, true);
        }
        return collect(paths);
    }

    /**
     * Reads every layer (a choice by convention needs the whole tree), keeping files that match
     * {@code candidate}; afterwards {@link #list()} and {@link #extract} answer from what was read.
     */
    void scanAll(Predicate<String> candidate) throws ImageException {
        while (walked < topDown.size()) {
            scanNext(List.of(), candidate, false);
        }
    }

    /** Every visible path of the layers read so far that resolves to a regular file. */
    List<String> list() {
        return merged.keySet().stream().filter(p -> resolve(p, Map.of(), Set.of()) instanceof Hit h
                && h.node().kind() == Kind.FILE).sorted().toList();
    }

    private Map<String, Found> collect(Collection<String> paths) throws ImageException {
        Map<String, Found> result = new LinkedHashMap<>();
        for (String requested : paths) {
            String path = normalize(requested);
            Lookup l = resolve(path, Map.of(), Set.of());
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

    /** True when every wanted path is found with content or provably absent, given layers so far (plus {@code layer}). */
    private boolean decided(List<String> wanted, LayerScan current, int layer) {
        Map<String, Node> extra = current == null ? Map.of() : current.entries;
        for (String path : wanted) {
            Lookup l = resolve(path, extra, Set.of());
            if (l instanceof Pending) {
                return false;
            }
            if (l instanceof Hit h && h.node().kind() == Kind.FILE) {
                boolean have = h.node().layer() == layer ? current.captured.containsKey(h.path())
                        : captured.getOrDefault(h.node().layer(), Map.of()).containsKey(h.path());
                if (!have && h.node().layer() == layer) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * What a walk over one layer keeps: regular files that wanted paths lead to, candidates, or
     * exactly {@code only}; with {@code stopEarly} it ends as soon as the wanted paths are settled.
     */
    private record Want(List<String> wanted, Predicate<String> candidate, boolean stopEarly, String only) {
    }

    private void scanNext(List<String> wanted, Predicate<String> candidate, boolean stopEarly) throws ImageException {
        int index = walked;
        Descriptor layer = topDown.get(index);
        listener.layerStarted(index, topDown.size(), layer);
        LayerScan scan = readLayer(index, new Want(wanted, candidate, stopEarly, null));
        scan.entries.forEach(merged::putIfAbsent);
        whiteouts.addAll(scan.whiteouts);
        opaques.addAll(scan.opaques);
        captured.put(index, scan.captured);
        walked++;
        listener.layerFinished(index, layer);
    }

    private void rescan(int index, String path) throws ImageException {
        Descriptor layer = topDown.get(index);
        Captured c = readLayer(index, new Want(List.of(), p -> false, false, path)).captured.get(path);
        if (c == null) {
            throw new BootFileNotFoundException(path + " vanished from layer " + layer.digest() + " on a second read");
        }
        captured.computeIfAbsent(index, i -> new HashMap<>()).put(path, c);
    }

    private LayerScan readLayer(int index, Want want) throws ImageException {
        Descriptor layer = topDown.get(index);
        return source.read(layer, new RegistryClient.BlobReader<>() {
            @Override
            public LayerScan read(InputStream blob) throws IOException, ImageException {
                LayerScan scan = new LayerScan();
                try {
                    walk(blob, index, scan, want);
                } catch (BlobStream.TransientFailure | BlobStream.CorruptBlob e) {
                    discard(scan);
                    throw e;
                } catch (IOException e) {
                    discard(scan);
                    // Garbage in a layer is most often bytes damaged on the way: if the digest
                    // disagrees, drainAndVerify throws CorruptBlob and the layer is fetched again.
                    if (blob instanceof BlobStream verified) {
                        verified.drainAndVerify();
                    }
                    throw new LayerFormatException("layer " + layer.digest() + " matches its digest but is not a "
                            + "readable tar (" + e.getMessage() + "): the image is broken, rebuild it", e);
                }
                return scan;
            }

            @Override
            public void discard(LayerScan scan) {
                scan.captured.values().forEach(c -> deleteQuietly(c.file()));
            }
        });
    }

    private void walk(InputStream blob, int index, LayerScan scan, Want want) throws IOException {
        // A tar that ends after a complete entry without the two zero blocks of its trailer (umoci
        // 0.4.7 'insert', umoci issue #436) reads as a clean end: the layer's digest still covers
        // every byte, so nothing unverified slips through.
        TrailerTolerantStream raw = new TrailerTolerantStream(decompress(blob));
        TarArchiveInputStream tar = new TarArchiveInputStream(raw);
        TarArchiveEntry entry;
        long dataEnd = 0;
        String last = null;
        while ((entry = tar.getNextEntry()) != null) {
            raw.requireComplete(dataEnd, last);
            dataEnd = tar.getBytesRead() + (entry.isFile() ? entry.getSize() : 0);
            last = entry.getName();
            String path = normalize(entry.getName());
            if (path.equals("/")) {
                continue;
            }
            if (want.only() != null) {
                // a second read for one file already known to be visible in this layer
                if (want.only().equals(path) && entry.isFile()) {
                    scan.captured.put(path, capture(tar, entry));
                    raw.requireComplete(dataEnd, last);
                    return;
                }
                continue;
            }
            String name = path.substring(path.lastIndexOf('/') + 1);
            String parent = parent(path);
            if (name.equals(".wh..wh..opq")) {
                scan.opaques.add(parent);
                continue;
            }
            if (name.startsWith(".wh.")) {
                scan.whiteouts.add(child(parent, name.substring(4)));
                continue;
            }
            if (merged.containsKey(path) || hidden(path)) {
                continue; // an upper layer has it, deleted it or put a non-directory above it
            }
            Node node = node(entry, index);
            scan.entries.put(path, node);
            if (node.kind() != Kind.FILE) {
                continue;
            }
            if (!want.candidate().test(path) && !leadsTo(want.wanted(), scan, path)) {
                continue;
            }
            Captured old = scan.captured.put(path, capture(tar, entry));
            if (old != null) {
                deleteQuietly(old.file());
            }
            raw.requireComplete(dataEnd, last);
            if (want.stopEarly() && decided(want.wanted(), scan, index)) {
                return; // the rest is still read for the digest, but never untarred
            }
        }
        raw.requireComplete(dataEnd, last);
    }

    /**
     * Lets a tar end without the zero padding of its last entry and without its end-of-archive
     * trailer (umoci 0.4.7 'insert', umoci issue #436): at the real end of the stream it supplies
     * them once. Only the padding and trailer may be missing; {@link #requireComplete} refuses a tar
     * that ends inside an entry's data.
     */
    private static final class TrailerTolerantStream extends java.io.FilterInputStream {
        private long count;
        private long realEnd = -1;
        private int supplied;
        private int toSupply;

        TrailerTolerantStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (realEnd < 0) {
                int n = in.read(b, off, len);
                if (n >= 0) {
                    count += n;
                    return n;
                }
                realEnd = count;
                toSupply = (int) ((512 - count % 512) % 512) + 1024;
            }
            if (supplied >= toSupply) {
                return -1;
            }
            int n = Math.min(len, toSupply - supplied);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            supplied += n;
            return n;
        }

        /** Fails if the stream ended before {@code dataEnd}, the end of entry {@code name}'s data. */
        void requireComplete(long dataEnd, String name) throws IOException {
            if (realEnd >= 0 && realEnd < dataEnd) {
                throw new IOException("tar ends inside the data of " + name + " (" + (dataEnd - realEnd)
                        + " bytes missing)");
            }
        }
    }

    /** Whether any wanted path, followed through links known so far (this layer included), is {@code path}. */
    private boolean leadsTo(List<String> wanted, LayerScan scan, String path) {
        for (String w : wanted) {
            Lookup l = resolve(w, scan.entries, Set.of());
            String target = l instanceof Hit h ? h.path() : l instanceof Pending p ? p.path() : null;
            if (path.equals(target)) {
                return true;
            }
        }
        return false;
    }

    private Captured capture(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
        Files.createDirectories(tempDir);
        Path file = Files.createTempFile(tempDir, "extract-", ".tmp");
        MessageDigest sha256 = Digest.sha256();
        long size = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = tar.read(buf)) >= 0) {
                sha256.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        } catch (IOException e) {
            deleteQuietly(file);
            throw e;
        }
        if (size != entry.getSize()) {
            deleteQuietly(file);
            throw new IOException("tar entry " + entry.getName() + " ended after " + size + " of " + entry.getSize()
                    + " bytes");
        }
        return new Captured(file, Digest.of(sha256), size);
    }

    private static Node node(TarArchiveEntry e, int layer) {
        if (e.isSymbolicLink()) {
            return new Node(Kind.SYMLINK, e.getLinkName(), layer);
        }
        if (e.isLink()) {
            return new Node(Kind.HARDLINK, normalize(e.getLinkName()), layer);
        }
        if (e.isDirectory()) {
            return new Node(Kind.DIR, null, layer);
        }
        return new Node(e.isFile() ? Kind.FILE : Kind.OTHER, null, layer);
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
    private Lookup resolve(String path, Map<String, Node> current, Set<String> seen) {
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

    private static InputStream decompress(InputStream blob) throws IOException {
        // Sniff instead of trusting the media type: registries and tools mislabel layers.
        BufferedInputStream in = new BufferedInputStream(blob, 128 * 1024);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 128 * 1024);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), 128 * 1024);
        }
        return in;
    }

    /** "/a/b" for "a/b", "./a/b/", "/a//b"; "." and ".." are resolved later, inside the image. */
    static String normalize(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            sb.append('/').append(part);
        }
        return sb.length() == 0 ? "/" : normalizeDots(sb.toString());
    }

    /** Resolves ".." lexically, never above the root. */
    private static String normalizeDots(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static String child(String dir, String name) {
        return normalizeDots(dir.equals("/") ? "/" + name : dir + "/" + name);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary the cache's start-up sweep removes
        }
    }

    /** Deletes every captured temporary that was not handed out in a {@link Found}. */
    @Override
    public void close() {
        captured.values().forEach(m -> m.values().forEach(c -> {
            if (!handedOut.contains(c.file())) {
                deleteQuietly(c.file());
            }
        }));
    }
}
