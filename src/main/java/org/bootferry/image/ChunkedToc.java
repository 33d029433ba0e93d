package org.bootferry.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.image.MergedTree.Kind;

/**
 * The table of contents of a zstd:chunked layer, as containers/storage writes it (its
 * docs/containers-storage-zstd-chunked.md, and pkg/chunked's compressor and internal packages, read
 * for the details below). The layer is an ordinary zstd stream of a tar, but every file's content
 * is compressed in frames of its own, and a zstd skippable frame near the end holds the TOC: JSON
 * ({@code {"version":1,"entries":[…]}}, the CRFS/eStargz TOC shape) compressed with zstd. The layer
 * descriptor's annotations say where it is, {@value #POSITION} =
 * {@code "offset:length:uncompressedLength:type"} (type 1 is this JSON TOC) and {@value #CHECKSUM}
 * = the sha256 of those {@code length} compressed bytes. The manifest's digest covers both, so the
 * TOC is trusted once its bytes match, and every file it describes through its own digests.
 *
 * <p>One entry per tar entry: {@code reg}, {@code dir}, {@code symlink}, {@code hardlink} (whose
 * {@code linkName} is an archive path), {@code char}, {@code block}, {@code fifo}; whiteouts are
 * {@code reg} entries named {@code .wh.<name>}. A regular file's content starts at {@code offset}
 * and its compressed bytes end at {@code endOffset}; a file cut into chunks has a {@code chunkSize}
 * and {@code chunkDigest} (sha256 of the uncompressed chunk) on its {@code reg} entry for the first
 * chunk, then one {@code chunk} entry per further chunk with its {@code offset}, {@code chunkOffset}
 * in the file, {@code chunkSize} and {@code chunkDigest}. A chunk's compressed bytes run to the next
 * chunk's offset (the last one to the file's {@code endOffset}) and decompress on their own. The
 * file's {@code digest} is the sha256 of its whole content.
 */
final class ChunkedToc {

    static final String POSITION = "io.containers.zstd-chunked.manifest-position";
    static final String CHECKSUM = "io.containers.zstd-chunked.manifest-checksum";
    /** pkg/chunked's internal ManifestTypeCRFS: the only TOC type there is. */
    private static final int TYPE_CRFS = 1;
    /** A TOC this large (uncompressed) would be a layer of millions of files: refuse rather than buffer it. */
    static final long MAX_TOC = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the compressed TOC lies in the layer blob, and what it must hash to. */
    record Position(long offset, long length, long uncompressedLength, Digest checksum) {
    }

    /** Compressed bytes {@code [offset, end)} of the blob decompress to {@code size} bytes hashing to {@code digest}. */
    record Chunk(long offset, long end, long size, Digest digest) {
    }

    /** One tar entry; {@code chunks} (in file order) only for regular files with content. */
    record Entry(String name, Kind kind, String link, long size, Digest digest, List<Chunk> chunks) {

        long compressedStart() {
            return chunks.get(0).offset();
        }

        long compressedEnd() {
            return chunks.get(chunks.size() - 1).end();
        }
    }

    private ChunkedToc() {
    }

    /**
     * The TOC's position from the layer's annotations; empty for a layer without one (plain gzip or
     * zstd: read whole), an error for one whose annotations are there but unusable.
     */
    static Optional<Position> position(Descriptor layer) throws LayerFormatException {
        String value = layer.annotations().get(POSITION);
        if (value == null) {
            return Optional.empty();
        }
        String where = "layer " + layer.digest() + " annotation " + POSITION + "=\"" + value + "\"";
        String[] parts = value.split(":");
        if (parts.length != 4) {
            throw new LayerFormatException(where + ": expected offset:length:uncompressedLength:type", null);
        }
        long[] n = new long[4];
        for (int i = 0; i < 4; i++) {
            try {
                n[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new LayerFormatException(where + ": '" + parts[i] + "' is not a number", e);
            }
        }
        if (n[3] != TYPE_CRFS) {
            throw new LayerFormatException(where + ": TOC type " + n[3] + " is unknown (only " + TYPE_CRFS
                    + ", the JSON TOC, exists)", null);
        }
        if (n[0] < 0 || n[1] <= 0 || n[0] + n[1] > layer.size() || n[2] <= 0 || n[2] > MAX_TOC) {
            throw new LayerFormatException(where + ": the TOC must lie inside the " + layer.size()
                    + "-byte blob and hold 1 to " + MAX_TOC + " bytes", null);
        }
        Digest checksum = Digest.parseOrNull(layer.annotations().get(CHECKSUM));
        if (checksum == null) {
            throw new LayerFormatException("layer " + layer.digest() + " has " + POSITION + " but no sha256 " + CHECKSUM
                    + " to verify its TOC by", null);
        }
        return Optional.of(new Position(n[0], n[1], n[2], checksum));
    }

    /** The entries of an uncompressed, verified TOC, in archive order. */
    static List<Entry> parse(byte[] json, Descriptor layer) throws LayerFormatException {
        String where = "zstd:chunked TOC of layer " + layer.digest();
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new LayerFormatException(where + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || root.path("version").asInt(-1) != 1 || !root.path("entries").isArray()) {
            throw new LayerFormatException(where + " is not a version 1 TOC with entries", null);
        }
        List<Entry> entries = new ArrayList<>();
        List<JsonNode> file = null; // the last reg entry and the chunk entries after it
        for (JsonNode e : root.path("entries")) {
            String type = e.path("type").asText("");
            String name = e.path("name").asText("");
            if (name.isEmpty()) {
                throw new LayerFormatException(where + ": entry without a name: " + e, null);
            }
            if (type.equals("chunk")) {
                if (file == null || !name.equals(file.get(0).path("name").asText())) {
                    throw new LayerFormatException(where + ": chunk of " + name + " does not follow its file", null);
                }
                file.add(e);
                continue;
            }
            if (file != null) {
                entries.add(file(file, layer, where));
                file = null;
            }
            switch (type) {
                case "reg" -> file = new ArrayList<>(List.of(e));
                case "dir" -> entries.add(new Entry(name, Kind.DIR, null, 0, null, List.of()));
                case "symlink" -> entries.add(new Entry(name, Kind.SYMLINK, link(e, where), 0, null, List.of()));
                case "hardlink" -> entries.add(new Entry(name, Kind.HARDLINK, link(e, where), 0, null, List.of()));
                case "char", "block", "fifo" -> entries.add(new Entry(name, Kind.OTHER, null, 0, null, List.of()));
                default -> throw new LayerFormatException(where + ": entry " + name + " has unknown type '" + type
                        + "'", null);
            }
        }
        if (file != null) {
            entries.add(file(file, layer, where));
        }
        return entries;
    }

    private static String link(JsonNode e, String where) throws LayerFormatException {
        String link = e.path("linkName").asText("");
        if (link.isEmpty()) {
            throw new LayerFormatException(where + ": link " + e.path("name").asText() + " has no linkName", null);
        }
        return link;
    }

    /** A reg entry and its chunk entries → the file with each chunk's compressed extent, checked for gaps. */
    private static Entry file(List<JsonNode> parts, Descriptor layer, String where) throws LayerFormatException {
        JsonNode reg = parts.get(0);
        String name = reg.path("name").asText();
        long size = reg.path("size").asLong(0);
        Digest digest = Digest.parseOrNull(reg.path("digest").asText(null));
        if (size == 0) {
            return new Entry(name, Kind.FILE, null, 0, digest, List.of());
        }
        if (digest == null) {
            throw new LayerFormatException(where + ": file " + name + " has no sha256 digest to verify it by", null);
        }
        long end = reg.path("endOffset").asLong(-1);
        List<Chunk> chunks = new ArrayList<>();
        long inFile = 0;
        for (int i = 0; i < parts.size(); i++) {
            JsonNode c = parts.get(i);
            String type = c.path("chunkType").asText("");
            if (!type.isEmpty() && !type.equals("data")) {
                throw new LayerFormatException(where + ": file " + name + " has a chunk of type '" + type
                        + "', which is not supported (only data chunks)", null);
            }
            long offset = c.path("offset").asLong(-1);
            long chunkEnd = i + 1 < parts.size() ? parts.get(i + 1).path("offset").asLong(-1) : end;
            long chunkSize = c.path("chunkSize").asLong(parts.size() == 1 ? size : -1);
            long chunkOffset = c.path("chunkOffset").asLong(0);
            Digest chunkDigest = parts.size() == 1 && !c.has("chunkDigest") ? digest
                    : Digest.parseOrNull(c.path("chunkDigest").asText(null));
            if (offset < 0 || chunkEnd <= offset || chunkEnd > layer.size() || chunkSize <= 0
                    || chunkOffset != inFile || chunkDigest == null) {
                throw new LayerFormatException(where + ": file " + name + " chunk " + i + " (offset " + offset
                        + ", end " + chunkEnd + ", " + chunkSize + " bytes at " + chunkOffset + ") does not fit the "
                        + layer.size() + "-byte blob and the " + inFile + " bytes before it", null);
            }
            chunks.add(new Chunk(offset, chunkEnd, chunkSize, chunkDigest));
            inFile += chunkSize;
        }
        if (inFile != size) {
            throw new LayerFormatException(where + ": the chunks of " + name + " hold " + inFile + " bytes, the file "
                    + size, null);
        }
        return new Entry(name, Kind.FILE, null, size, digest, List.copyOf(chunks));
    }
}
