package org.bootferry.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
    /**
     * Read as a token stream: a TOC holds an entry per chunk (tens of thousands for a GiB layer), and
     * a tree of them costs a cold JVM several times the parse (docs/benchmarks.md, lazy pulls).
     */
    private static final JsonFactory JSON = new JsonFactory();

    /** Where the compressed TOC lies in the layer blob, and what it must hash to. */
    record Position(long offset, long length, long uncompressedLength, Digest checksum) {
    }

    /** Compressed bytes {@code [offset, end)} of the blob decompress to {@code size} bytes hashing to {@code digest}. */
    record Chunk(long offset, long end, long size, Digest digest) {
    }

    /** The fields of one TOC entry that are read; the rest (mode, owner, times, xattrs) are skipped. */
    private record Raw(String type, String name, String linkName, long size, String digest, long offset,
            long endOffset, Long chunkSize, long chunkOffset, String chunkDigest, String chunkType) {
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
        List<Raw> raws = new ArrayList<>();
        int version = -1;
        boolean listed = false;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("version")) {
                        version = p.getValueAsInt(-1);
                    } else if (field.equals("entries") && value == JsonToken.START_ARRAY) {
                        listed = true;
                        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                            if (t != JsonToken.START_OBJECT) {
                                throw new LayerFormatException(where + ": entry " + raws.size() + " is not an object",
                                        null);
                            }
                            raws.add(raw(p));
                        }
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new LayerFormatException(where + " is not JSON: " + e.getMessage(), e);
        }
        if (version != 1 || !listed) {
            throw new LayerFormatException(where + " is not a version 1 TOC with entries", null);
        }
        List<Entry> entries = new ArrayList<>();
        List<Raw> file = null; // the last reg entry and the chunk entries after it
        for (Raw e : raws) {
            String name = e.name();
            if (name.isEmpty()) {
                throw new LayerFormatException(where + ": entry without a name (" + e.type() + ")", null);
            }
            if (e.type().equals("chunk")) {
                if (file == null || !name.equals(file.get(0).name())) {
                    throw new LayerFormatException(where + ": chunk of " + name + " does not follow its file", null);
                }
                file.add(e);
                continue;
            }
            if (file != null) {
                entries.add(file(file, layer, where));
                file = null;
            }
            switch (e.type()) {
                case "reg" -> file = new ArrayList<>(List.of(e));
                case "dir" -> entries.add(new Entry(name, Kind.DIR, null, 0, null, List.of()));
                case "symlink" -> entries.add(new Entry(name, Kind.SYMLINK, link(e, where), 0, null, List.of()));
                case "hardlink" -> entries.add(new Entry(name, Kind.HARDLINK, link(e, where), 0, null, List.of()));
                case "char", "block", "fifo" -> entries.add(new Entry(name, Kind.OTHER, null, 0, null, List.of()));
                default -> throw new LayerFormatException(where + ": entry " + name + " has unknown type '" + e.type()
                        + "'", null);
            }
        }
        if (file != null) {
            entries.add(file(file, layer, where));
        }
        return entries;
    }

    /** One entry object, the parser on its START_OBJECT; leaves it on the matching END_OBJECT. */
    private static Raw raw(JsonParser p) throws IOException {
        String type = "";
        String name = "";
        String linkName = "";
        String digest = null;
        String chunkDigest = null;
        String chunkType = "";
        long size = 0;
        long offset = -1;
        long endOffset = -1;
        Long chunkSize = null;
        long chunkOffset = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = p.getValueAsString("");
                case "name" -> name = p.getValueAsString("");
                case "linkName" -> linkName = p.getValueAsString("");
                case "digest" -> digest = p.getValueAsString(null);
                case "chunkDigest" -> chunkDigest = p.getValueAsString(null);
                case "chunkType" -> chunkType = p.getValueAsString("");
                case "size" -> size = p.getValueAsLong(0);
                case "offset" -> offset = p.getValueAsLong(-1);
                case "endOffset" -> endOffset = p.getValueAsLong(-1);
                case "chunkSize" -> chunkSize = p.getValueAsLong(-1);
                case "chunkOffset" -> chunkOffset = p.getValueAsLong(0);
                default -> {
                    // not needed here
                }
            }
            p.skipChildren();
        }
        return new Raw(type, name, linkName, size, digest, offset, endOffset, chunkSize, chunkOffset, chunkDigest,
                chunkType);
    }

    private static String link(Raw e, String where) throws LayerFormatException {
        if (e.linkName().isEmpty()) {
            throw new LayerFormatException(where + ": link " + e.name() + " has no linkName", null);
        }
        return e.linkName();
    }

    /** A reg entry and its chunk entries → the file with each chunk's compressed extent, checked for gaps. */
    private static Entry file(List<Raw> parts, Descriptor layer, String where) throws LayerFormatException {
        Raw reg = parts.get(0);
        String name = reg.name();
        long size = reg.size();
        Digest digest = Digest.parseOrNull(reg.digest());
        if (size == 0) {
            return new Entry(name, Kind.FILE, null, 0, digest, List.of());
        }
        if (digest == null) {
            throw new LayerFormatException(where + ": file " + name + " has no sha256 digest to verify it by", null);
        }
        long end = reg.endOffset();
        List<Chunk> chunks = new ArrayList<>();
        long inFile = 0;
        for (int i = 0; i < parts.size(); i++) {
            Raw c = parts.get(i);
            String type = c.chunkType();
            if (!type.isEmpty() && !type.equals("data")) {
                throw new LayerFormatException(where + ": file " + name + " has a chunk of type '" + type
                        + "', which is not supported (only data chunks)", null);
            }
            long offset = c.offset();
            long chunkEnd = i + 1 < parts.size() ? parts.get(i + 1).offset() : end;
            long chunkSize = c.chunkSize() != null ? c.chunkSize() : parts.size() == 1 ? size : -1;
            long chunkOffset = c.chunkOffset();
            Digest chunkDigest = parts.size() == 1 && c.chunkDigest() == null ? digest
                    : Digest.parseOrNull(c.chunkDigest());
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
