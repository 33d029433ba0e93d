package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.image.MergedTree.Kind;
import org.junit.jupiter.api.Test;

/** The zstd:chunked TOC as containers/storage writes it (entries shaped as skopeo 1.9.3 wrote them here). */
class ChunkedTocTest {

    private static final String A = "sha256:" + "a".repeat(64);
    private static final String B = "sha256:" + "b".repeat(64);
    private static final String C = "sha256:" + "c".repeat(64);

    private static Descriptor layer(Map<String, String> annotations) {
        return new Descriptor("application/vnd.oci.image.layer.v1.tar+zstd", Digest.parseOrNull(C), 10_000,
                Optional.empty(), annotations);
    }

    private static List<ChunkedToc.Entry> parse(String entries) throws LayerFormatException {
        return ChunkedToc.parse(("{\"version\":1,\"entries\":[" + entries.replace('\'', '"') + "]}")
                .getBytes(StandardCharsets.UTF_8), layer(Map.of()));
    }

    @Test
    void aLayerWithoutThePositionAnnotationIsReadWhole() throws Exception {
        assertThat(ChunkedToc.position(layer(Map.of()))).isEmpty();
    }

    @Test
    void thePositionAnnotationGivesTheTocExtentAndItsChecksum() throws Exception {
        ChunkedToc.Position p = ChunkedToc.position(layer(Map.of(ChunkedToc.POSITION, "9000:800:2400:1",
                ChunkedToc.CHECKSUM, A))).orElseThrow();
        assertThat(p).isEqualTo(new ChunkedToc.Position(9000, 800, 2400, Digest.parseOrNull(A)));
    }

    @Test
    void unusableAnnotationsAreRefusedWithTheirValue() {
        assertThatThrownBy(() -> ChunkedToc.position(layer(Map.of(ChunkedToc.POSITION, "9000:800:2400",
                ChunkedToc.CHECKSUM, A)))).isInstanceOf(LayerFormatException.class)
                .hasMessageContaining("\"9000:800:2400\"").hasMessageContaining("offset:length:uncompressedLength:type");
        assertThatThrownBy(() -> ChunkedToc.position(layer(Map.of(ChunkedToc.POSITION, "9000:800:2400:2",
                ChunkedToc.CHECKSUM, A)))).hasMessageContaining("TOC type 2 is unknown");
        assertThatThrownBy(() -> ChunkedToc.position(layer(Map.of(ChunkedToc.POSITION, "9500:800:2400:1",
                ChunkedToc.CHECKSUM, A)))).hasMessageContaining("inside the 10000-byte blob");
        assertThatThrownBy(() -> ChunkedToc.position(layer(Map.of(ChunkedToc.POSITION, "9000:800:2400:1"))))
                .hasMessageContaining("no sha256 " + ChunkedToc.CHECKSUM);
    }

    @Test
    void aChunkedFileRunsFromChunkToChunkAndEndsAtItsEndOffset() throws Exception {
        List<ChunkedToc.Entry> toc = parse("""
                {'type':'dir','name':'boot/'},
                {'type':'reg','name':'boot/vmlinuz','size':300,'digest':'%s','offset':100,'endOffset':420,
                 'chunkSize':200,'chunkDigest':'%s'},
                {'type':'chunk','name':'boot/vmlinuz','offset':310,'chunkSize':100,'chunkOffset':200,'chunkDigest':'%s'},
                {'type':'symlink','name':'vmlinuz','linkName':'boot/vmlinuz'},
                {'type':'reg','name':'boot/.wh.old'},
                {'type':'hardlink','name':'boot/hard','linkName':'boot/vmlinuz'}
                """.formatted(A, B, C));
        assertThat(toc).extracting(ChunkedToc.Entry::name, ChunkedToc.Entry::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("boot/", Kind.DIR),
                org.assertj.core.groups.Tuple.tuple("boot/vmlinuz", Kind.FILE),
                org.assertj.core.groups.Tuple.tuple("vmlinuz", Kind.SYMLINK),
                org.assertj.core.groups.Tuple.tuple("boot/.wh.old", Kind.FILE),
                org.assertj.core.groups.Tuple.tuple("boot/hard", Kind.HARDLINK));
        assertThat(toc.get(1).chunks()).containsExactly(
                new ChunkedToc.Chunk(100, 310, 200, Digest.parseOrNull(B)),
                new ChunkedToc.Chunk(310, 420, 100, Digest.parseOrNull(C)));
        assertThat(toc.get(3).chunks()).isEmpty();
    }

    @Test
    void aFileInOneChunkIsVerifiedByItsOwnDigest() throws Exception {
        ChunkedToc.Entry small = parse("{'type':'reg','name':'s','size':3,'digest':'%s','offset':115,'endOffset':131}"
                .formatted(A)).get(0);
        assertThat(small.chunks()).containsExactly(new ChunkedToc.Chunk(115, 131, 3, Digest.parseOrNull(A)));
    }

    @Test
    void tocsThatDoNotAddUpAreRefused() {
        assertThatThrownBy(() -> parse("{'type':'chunk','name':'x','offset':1,'chunkSize':1,'chunkDigest':'%s'}"
                .formatted(A))).isInstanceOf(LayerFormatException.class).hasMessageContaining("does not follow its file");
        assertThatThrownBy(() -> parse("{'type':'socket','name':'x'}")).hasMessageContaining("unknown type 'socket'");
        assertThatThrownBy(() -> parse("{'type':'reg','name':'x','size':5,'offset':1,'endOffset':9}"))
                .hasMessageContaining("no sha256 digest");
        assertThatThrownBy(() -> parse("""
                {'type':'reg','name':'x','size':300,'digest':'%s','offset':100,'endOffset':420,'chunkSize':200,
                 'chunkDigest':'%s'},
                {'type':'chunk','name':'x','offset':310,'chunkSize':100,'chunkOffset':150,'chunkDigest':'%s'}
                """.formatted(A, B, C))).hasMessageContaining("chunk 1");
        assertThatThrownBy(() -> parse("""
                {'type':'reg','name':'x','size':300,'digest':'%s','offset':100,'endOffset':420,'chunkSize':200,
                 'chunkDigest':'%s'},
                {'type':'chunk','name':'x','offset':310,'chunkSize':100,'chunkOffset':200,'chunkType':'zeros'}
                """.formatted(A, B))).hasMessageContaining("chunk of type 'zeros'");
        assertThatThrownBy(() -> parse("{'type':'reg','name':'x','size':5,'digest':'%s','offset':1,'endOffset':20000}"
                .formatted(A))).hasMessageContaining("does not fit the 10000-byte blob");
        assertThatThrownBy(() -> ChunkedToc.parse("{\"version\":2}".getBytes(StandardCharsets.UTF_8), layer(Map.of())))
                .hasMessageContaining("not a version 1 TOC");
    }
}
