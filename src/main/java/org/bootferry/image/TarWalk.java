package org.bootferry.image;

import static org.bootferry.image.ImagePaths.child;
import static org.bootferry.image.ImagePaths.normalize;
import static org.bootferry.image.ImagePaths.parent;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bootferry.image.LayerScan.Captured;
import org.bootferry.image.MergedTree.Kind;
import org.bootferry.image.MergedTree.Node;

/**
 * Reads one layer's blob as a tar stream into a {@link LayerScan}. The blob is gzip, zstd or plain
 * tar (OCI image-spec layer.md, "+gzip Media Types" and "+zstd Media Types"), sniffed rather than
 * taken from the media type. Whiteout entries are recorded as what they delete (layer.md
 * "Whiteouts", "Opaque Whiteout"), entries the {@link MergedTree} already covers are skipped, and
 * regular files are copied out only when a {@link Want} asks for them. Bytes count only after the
 * whole layer matched its digest: the {@link LayerExtractor.LayerSource} drains and verifies it, and
 * a scan of a layer that failed is discarded with its temporaries.
 */
final class TarWalk {

    /**
     * What a walk over one layer keeps: regular files that wanted paths lead to, candidates, or
     * exactly {@code only}; it ends as soon as {@code settled} says the wanted paths have answers.
     */
    record Want(List<String> wanted, Predicate<String> candidate, Predicate<LayerScan> settled, String only) {

        /** The files {@code wanted} paths lead to, until {@code settled}. */
        static Want paths(List<String> wanted, Predicate<LayerScan> settled) {
            return new Want(wanted, p -> false, settled, null);
        }

        /** Every file {@code candidate} accepts, to the end of the layer. */
        static Want candidates(Predicate<String> candidate) {
            return new Want(List.of(), candidate, scan -> false, null);
        }

        /** A second read for one file already known to be visible in the layer. */
        static Want only(String path) {
            return new Want(List.of(), p -> false, scan -> false, path);
        }
    }

    private final LayerExtractor.LayerSource source;
    private final MergedTree tree;
    private final Path tempDir;

    TarWalk(LayerExtractor.LayerSource source, MergedTree tree, Path tempDir) {
        this.source = source;
        this.tree = tree;
        this.tempDir = tempDir;
    }

    /**
     * Reads {@code layer}, the {@code index}th from the top, below the layers in the tree.
     *
     * @throws LayerFormatException when the layer matches its digest but is no readable tar
     */
    LayerScan read(Descriptor layer, int index, Want want) throws ImageException {
        return source.read(layer, new RegistryClient.BlobReader<>() {
            @Override
            public LayerScan read(InputStream blob) throws IOException, ImageException {
                LayerScan scan = new LayerScan();
                try {
                    walk(blob, index, scan, want);
                    // Verified here, not only by the caller: files captured from a layer whose bytes
                    // turn out damaged are deleted on the spot, whoever reads the blob.
                    if (blob instanceof BlobStream verified) {
                        verified.drainAndVerify();
                    }
                } catch (BlobStream.TransientFailure | BlobStream.CorruptBlob e) {
                    discard(scan);
                    throw e;
                } catch (IOException | RuntimeException e) {
                    // Decompressors and the tar reader throw unchecked exceptions on some damage too.
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
                scan.discard();
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
            if (tree.covers(path)) {
                continue; // an upper layer has it, deleted it or put a non-directory above it
            }
            Node node = node(entry, index);
            scan.entries.put(path, node);
            if (node.kind() != Kind.FILE) {
                continue;
            }
            if (!want.candidate().test(path) && !tree.leadsTo(want.wanted(), scan.entries, path)) {
                continue;
            }
            Captured old = scan.captured.put(path, capture(tar, entry));
            if (old != null) {
                old.delete();
            }
            raw.requireComplete(dataEnd, last);
            if (want.settled().test(scan)) {
                return; // the rest is still read for the digest, but never untarred
            }
        }
        raw.requireComplete(dataEnd, last);
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
            LayerScan.deleteQuietly(file);
            throw e;
        }
        if (size != entry.getSize()) {
            LayerScan.deleteQuietly(file);
            throw new IOException("tar entry " + entry.getName() + " ended after " + size + " of " + entry.getSize()
                    + " bytes");
        }
        return new Captured(file, Digest.of(sha256), size);
    }

    /**
     * A hard link (tar type '1', layer.md "Hardlinks") names another entry of the archive, so its
     * target is an archive path; a symlink's is kept as written and resolved from its directory.
     */
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
}
