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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * request over its chunks. The scan it fills is the one {@link TarWalk} fills from a whole blob
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

    private static final Logger LOG = LoggerFactory.getLogger(ChunkedWalk.class);

    private final LayerExtractor.LayerSource source;
    private final MergedTree tree;
    private final Path tempDir;

    ChunkedWalk(LayerExtractor.LayerSource source, MergedTree tree, Path tempDir) {
        this.source = source;
        this.tree = tree;
        this.tempDir = tempDir;
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
        try {
            for (Map.Entry<String, Entry> f : files.entrySet()) {
                if (wanted(f.getKey(), scan, want)) {
                    if (f.getValue().chunks().stream().anyMatch(c -> c.size() > MAX_CHUNK
                            || c.end() - c.offset() > MAX_CHUNK)) {
                        LOG.info("layer {}: {} has a chunk over {} bytes; reading the layer whole", layer.digest(),
                                f.getKey(), MAX_CHUNK);
                        scan.discard();
                        return Optional.empty();
                    }
                    Optional<Captured> c = capture(layer, f.getValue());
                    if (c.isEmpty()) {
                        scan.discard();
                        return Optional.empty();
                    }
                    scan.captured.put(f.getKey(), c.get());
                }
            }
        } catch (ImageException | RuntimeException e) {
            scan.discard();
            throw e;
        }
        return Optional.of(scan);
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
        try (OutputStream out = Files.newOutputStream(temp); ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            byte[] plain = new byte[0];
            for (Chunk chunk : chunks) {
                int length = (int) (chunk.end() - chunk.offset());
                byte[] compressed = in.readNBytes(length);
                if (compressed.length < length) {
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
                MessageDigest part = Digest.sha256();
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
