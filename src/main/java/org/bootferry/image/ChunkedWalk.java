package org.bootferry.image;

import static org.bootferry.image.ImagePaths.child;
import static org.bootferry.image.ImagePaths.normalize;
import static org.bootferry.image.ImagePaths.parent;

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

    /** A chunk's compressed bytes are held in memory to be decompressed; containers/storage's are KiBs. */
    private static final long MAX_COMPRESSED_CHUNK = 64L << 20;

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
     * the registry answered a Range request with the whole blob, which the caller then reads whole.
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

    private Captured write(List<Chunk> chunks, Entry file, Descriptor layer, InputStream in)
            throws IOException, ImageException {
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, "extract-", ".tmp");
        MessageDigest whole = Digest.sha256();
        try (OutputStream out = Files.newOutputStream(temp)) {
            for (Chunk chunk : chunks) {
                long length = chunk.end() - chunk.offset();
                if (length > MAX_COMPRESSED_CHUNK) {
                    throw new LayerFormatException("zstd:chunked layer " + layer.digest() + ": a chunk of " + file.name()
                            + " is " + length + " bytes compressed, more than the " + MAX_COMPRESSED_CHUNK
                            + " this reader holds", null);
                }
                byte[] compressed = in.readNBytes((int) length);
                if (compressed.length < length) {
                    throw new BlobStream.TransientFailure("range of " + layer.digest() + " ended inside a chunk of "
                            + file.name(), null);
                }
                MessageDigest part = Digest.sha256();
                long size = 0;
                try (InputStream z = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(compressed))) {
                    byte[] buf = new byte[128 * 1024];
                    for (int n; (n = z.read(buf)) >= 0;) {
                        size += n;
                        if (size > chunk.size()) {
                            break;
                        }
                        part.update(buf, 0, n);
                        whole.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // Damaged bytes most often fail to decompress at all: as corrupt as a wrong digest.
                    throw new BlobStream.CorruptBlob("a chunk of " + file.name() + " does not decompress ("
                            + e.getMessage() + ") after " + size + " of its " + chunk.size() + " bytes",
                            chunk.digest(), Digest.of(part));
                }
                Digest actual = Digest.of(part);
                if (size != chunk.size() || !actual.equals(chunk.digest())) {
                    throw new BlobStream.CorruptBlob(chunk.digest(), actual);
                }
            }
            Digest actual = Digest.of(whole);
            if (file.digest() != null && !actual.equals(file.digest())) {
                throw new BlobStream.CorruptBlob(file.digest(), actual);
            }
            if (in instanceof BlobStream range) {
                range.drainAndVerify(); // the count: a registry that sent more than asked is caught here
            }
            return new Captured(temp, actual, file.size());
        } catch (IOException | ImageException | RuntimeException e) {
            LayerScan.deleteQuietly(temp);
            throw e;
        }
    }
}
