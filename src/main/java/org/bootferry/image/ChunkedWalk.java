package org.bootferry.image;

import static org.bootferry.image.ImagePaths.child;
import static org.bootferry.image.ImagePaths.normalize;
import static org.bootferry.image.ImagePaths.parent;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.bootferry.image.ChunkedToc.Chunk;
import org.bootferry.image.ChunkedToc.Entry;
import org.bootferry.image.LayerScan.Captured;
import org.bootferry.image.MergedTree.Kind;
import org.bootferry.image.MergedTree.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one zstd:chunked layer ({@link ChunkedToc}) lazily into a {@link LayerScan}: its TOC with
 * one Range request, then only the files a {@link TarWalk.Want} asks for, each with one Range
 * request over its chunks, up to {@value #PARALLEL_FETCHES} files at once (kernel and initrd arrive
 * side by side: each request's decompression and hashing runs on a core of its own). The scan it fills is the one {@link TarWalk} fills from a whole blob
 * (same entries, whiteouts, opaque directories, captured files), so the {@link MergedTree} above
 * decides what is visible the same way for both: a layer higher up that deletes or replaces a boot
 * file wins whether either layer was read lazily or whole. What is kept is verified piece by piece
 * instead of by the layer digest: the TOC against the manifest's annotation, each chunk against its
 * chunkDigest as it arrives (a bad one fails before the next is fetched), the file against its
 * digest; a mismatch is retried like a corrupt blob and never leaves a file behind.
 */
final class ChunkedWalk {

    /**
     * A chunk is decompressed in memory, in one call; containers/storage's chunker cuts files into
     * pieces of KiBs. A file with a larger chunk (either side) is left to a whole read of the layer.
     */
    private static final long MAX_CHUNK = 64L << 20;
    /** Files fetched at once: a boot wants two or three; more would only crowd one registry. */
    static final int PARALLEL_FETCHES = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ChunkedWalk.class);

    private final LayerExtractor.LayerSource source;
    private final MergedTree tree;
    private final Path tempDir;
    private final Executor fetches;

    /** @param fetches runs the fetches beside the calling thread's own */
    ChunkedWalk(LayerExtractor.LayerSource source, MergedTree tree, Path tempDir, Executor fetches) {
        this.source = source;
        this.tree = tree;
        this.tempDir = tempDir;
        this.fetches = fetches;
    }

    /**
     * Reads {@code layer}, the {@code index}th from the top, below the layers in the tree; empty when
     * the layer is better read whole by the caller: the registry answered a Range request with the
     * whole blob, or a wanted file has a chunk too large to decompress in memory.
     */
    Optional<LayerScan> read(Descriptor layer, ChunkedToc.Position position, int index, TarWalk.Want want)
            throws ImageException {
        Optional<List<Entry>> toc = source.readRange(layer, position.offset(), position.length(),
                in -> toc(in, layer, position));
        if (toc.isEmpty()) {
            return Optional.empty();
        }
        LayerScan scan = new LayerScan();
        Map<String, Entry> files = new HashMap<>();
        for (Entry e : toc.get()) {
            String path = normalize(e.name());
            if (e.kind() == Kind.FILE) {
                files.put(path, e);
            }
            if (path.equals("/") || want.only() != null) {
                continue;
            }
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (name.equals(".wh..wh..opq")) {
                scan.opaques.add(parent(path));
            } else if (name.startsWith(".wh.")) {
                scan.whiteouts.add(child(parent(path), name.substring(4)));
            } else if (!tree.covers(path)) {
                String link = e.kind() == Kind.HARDLINK ? normalize(e.link()) : e.link();
                scan.entries.put(path, new Node(e.kind(), link, index));
            }
        }
        Map<String, Entry> fetch = new HashMap<>();
        for (Map.Entry<String, Entry> f : files.entrySet()) {
            if (wanted(f.getKey(), scan, want)) {
                if (f.getValue().chunks().stream().anyMatch(c -> c.size() > MAX_CHUNK
                        || c.end() - c.offset() > MAX_CHUNK)) {
                    LOG.info("layer {}: {} has a chunk over {} bytes; reading the layer whole", layer.digest(),
                            f.getKey(), MAX_CHUNK);
                    return Optional.empty();
                }
                fetch.put(f.getKey(), f.getValue());
            }
        }
        Map<String, Optional<Captured>> got = captureAll(layer, fetch);
        got.forEach((path, c) -> c.ifPresent(captured -> scan.captured.put(path, captured)));
        if (got.values().stream().anyMatch(Optional::isEmpty)) {
            scan.discard();
            return Optional.empty();
        }
        return Optional.of(scan);
    }

    /**
     * Captures {@code files}, {@value #PARALLEL_FETCHES} at a time: this thread and helpers on the
     * executor take files off one queue. When one fails, no further file is started, the captured
     * ones are deleted and the first failure is thrown.
     */
    private Map<String, Optional<Captured>> captureAll(Descriptor layer, Map<String, Entry> files)
            throws ImageException {
        Queue<Map.Entry<String, Entry>> queue = new ConcurrentLinkedQueue<>(files.entrySet());
        Map<String, Optional<Captured>> done = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> helpers = new ArrayList<>();
        for (int i = 1; i < Math.min(PARALLEL_FETCHES, files.size()); i++) {
            helpers.add(CompletableFuture.runAsync(() -> {
                try {
                    captureFrom(queue, layer, done);
                } catch (ImageException e) {
                    throw new CompletionException(e);
                }
            }, fetches));
        }
        Exception failure = null;
        try {
            captureFrom(queue, layer, done);
        } catch (ImageException | RuntimeException e) {
            failure = e;
        }
        for (CompletableFuture<Void> helper : helpers) {
            try {
                helper.join();
            } catch (CompletionException e) {
                failure = failure != null ? failure : e.getCause() instanceof Exception c ? c : e;
            }
        }
        if (failure != null) {
            done.values().forEach(c -> c.ifPresent(Captured::delete));
            if (failure instanceof ImageException e) {
                throw e;
            }
            throw failure instanceof RuntimeException e ? e : new CompletionException(failure);
        }
        return done;
    }

    private void captureFrom(Queue<Map.Entry<String, Entry>> queue, Descriptor layer,
            Map<String, Optional<Captured>> done) throws ImageException {
        try {
            for (Map.Entry<String, Entry> f; (f = queue.poll()) != null;) {
                done.put(f.getKey(), capture(layer, f.getValue()));
            }
        } catch (ImageException | RuntimeException e) {
            queue.clear();
            throw e;
        }
    }

    /** Whether a file of this layer must be fetched: as {@link TarWalk} decides, but with the whole layer known. */
    private boolean wanted(String path, LayerScan scan, TarWalk.Want want) {
        if (want.only() != null) {
            return want.only().equals(path);
        }
        Node node = scan.entries.get(path);
        return node != null && node.kind() == Kind.FILE
                && (want.candidate().test(path) || tree.leadsTo(want.wanted(), scan.entries, path));
    }

    private static List<Entry> toc(InputStream in, Descriptor layer, ChunkedToc.Position position)
            throws IOException, ImageException {
        byte[] compressed = in.readNBytes((int) position.length());
        Digest actual = Digest.of(compressed);
        if (!actual.equals(position.checksum())) {
            throw new BlobStream.CorruptBlob(position.checksum(), actual);
        }
        byte[] json;
        try (InputStream z = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(compressed))) {
            json = z.readNBytes((int) position.uncompressedLength() + 1);
        } catch (IOException e) {
            throw new LayerFormatException("zstd:chunked TOC of layer " + layer.digest() + " matches its checksum but"
                    + " does not decompress (" + e.getMessage() + "): the image is broken, rebuild it", e);
        }
        if (json.length != position.uncompressedLength()) {
            throw new LayerFormatException("zstd:chunked TOC of layer " + layer.digest() + " is not the "
                    + position.uncompressedLength() + " bytes its annotation says", null);
        }
        return ChunkedToc.parse(json, layer);
    }

    /** Fetches one file's chunks into a temporary, verifying each; empty when the registry ignored Range. */
    private Optional<Captured> capture(Descriptor layer, Entry file) throws ImageException {
        if (file.size() == 0) {
            try {
                return Optional.of(write(List.of(), file, layer, null));
            } catch (IOException e) {
                throw new ImageException("empty file " + file.name() + " of layer " + layer.digest() + ": "
                        + e.getMessage(), e);
            }
        }
        long start = file.compressedStart();
        return source.readRange(layer, start, file.compressedEnd() - start, in -> write(file.chunks(), file, layer, in));
    }

    private Captured write(List<Chunk> chunks, Entry file, Descriptor layer, InputStream in) throws IOException {
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, "extract-", ".tmp");
        MessageDigest whole = Digest.sha256();
        MessageDigest part = Digest.sha256(); // reset by each chunk's Digest.of
        try (OutputStream out = Files.newOutputStream(temp); ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            byte[] plain = new byte[0];
            byte[] compressed = new byte[0];
            for (Chunk chunk : chunks) {
                int length = (int) (chunk.end() - chunk.offset());
                if (compressed.length < length) {
                    compressed = new byte[length];
                }
                if (in.readNBytes(compressed, 0, length) < length) {
                    throw new BlobStream.TransientFailure("range of " + layer.digest() + " ended inside a chunk of "
                            + file.name(), null);
                }
                if (plain.length < chunk.size()) {
                    plain = new byte[(int) chunk.size()];
                }
                int size;
                try {
                    size = zstd.decompressByteArray(plain, 0, (int) chunk.size(), compressed, 0, length);
                } catch (ZstdException e) {
                    // Damaged bytes most often fail to decompress at all: as corrupt as a wrong digest.
                    throw new BlobStream.CorruptBlob("a chunk of " + file.name() + " does not decompress to its "
                            + chunk.size() + " bytes (" + e.getMessage() + ")", chunk.digest(), Digest.of(new byte[0]));
                }
                part.update(plain, 0, size);
                Digest actual = Digest.of(part);
                if (size != chunk.size() || !actual.equals(chunk.digest())) {
                    throw new BlobStream.CorruptBlob(chunk.digest(), actual);
                }
                whole.update(plain, 0, size);
                out.write(plain, 0, size);
            }
            Digest actual = Digest.of(whole);
            if (file.digest() != null && !actual.equals(file.digest())) {
                throw new BlobStream.CorruptBlob(file.digest(), actual);
            }
            if (in instanceof BlobStream range) {
                range.drainAndVerify(); // the count: a registry that sent more than asked is caught here
            }
            return new Captured(temp, actual, file.size());
        } catch (IOException | RuntimeException e) {
            LayerScan.deleteQuietly(temp);
            throw e;
        }
    }
}
