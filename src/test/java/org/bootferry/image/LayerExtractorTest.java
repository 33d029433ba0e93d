package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer semantics on real tar streams (written with commons-compress, read back like registry blobs). */
class LayerExtractorTest {

    @TempDir
    Path temp;

    /** Blobs by digest; reading one counts it, as a registry's access log would. */
    private final Map<Digest, byte[]> blobs = new HashMap<>();
    private final List<Digest> reads = new ArrayList<>();
    /** Bytes a trailer-less layer loses beyond its trailer: 0 = umoci's bug, more = a truly truncated tar. */
    private int cutInsideData;
    private final LayerExtractor.LayerSource source = new MemoryLayers(layer -> {
        reads.add(layer.digest());
        return blobs.get(layer.digest());
    });

    /** One tar layer: entries in order; "name" → bytes, "name -> target" symlink, "name => target" hard link, "dir/" directory. */
    private Descriptor layer(boolean gzip, boolean trailer, String... entries) throws IOException {
        ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes);
        for (String e : entries) {
            TarArchiveEntry entry;
            byte[] content = new byte[0];
            if (e.contains(" -> ")) {
                entry = new TarArchiveEntry(e.split(" -> ")[0], TarConstants.LF_SYMLINK);
                entry.setLinkName(e.split(" -> ")[1]);
            } else if (e.contains(" => ")) {
                entry = new TarArchiveEntry(e.split(" => ")[0], TarConstants.LF_LINK);
                entry.setLinkName(e.split(" => ")[1]);
            } else if (e.endsWith("/")) {
                entry = new TarArchiveEntry(e);
            } else {
                String[] nameAndContent = e.split("=", 2);
                entry = new TarArchiveEntry(nameAndContent[0]);
                content = (nameAndContent.length > 1 ? nameAndContent[1] : "").getBytes(StandardCharsets.UTF_8);
                entry.setSize(content.length);
            }
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        tar.finish();
        byte[] bytes = tarBytes.toByteArray();
        if (!trailer) {
            // like umoci 0.4.7 'insert': the tar ends right after the last entry's data, with neither
            // the zero padding of its last block nor the end-of-archive trailer
            String lastEntry = entries[entries.length - 1];
            int lastData = lastEntry.contains("=") ? lastEntry.split("=", 2)[1].length() : 0;
            int end = 0;
            for (int offset = 0; offset < bytes.length && bytes[offset] != 0; ) {
                int size = Integer.parseInt(new String(bytes, offset + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
                end = offset + 512 + size;
                offset += 512 + (size + 511) / 512 * 512;
            }
            assertThat(end % 512).isEqualTo(lastData % 512);
            bytes = Arrays.copyOf(bytes, end - cutInsideData);
        }
        if (gzip) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(bytes);
            }
            bytes = gz.toByteArray();
        }
        Digest d = Digest.of(bytes);
        blobs.put(d, bytes);
        return new Descriptor("application/vnd.oci.image.layer.v1.tar" + (gzip ? "+gzip" : ""), d, bytes.length,
                java.util.Optional.empty(), java.util.Map.of());
    }

    private LayerExtractor extractor(Descriptor... bottomUp) {
        return new LayerExtractor(Arrays.asList(bottomUp), source, temp, PullListener.NONE, Runnable::run);
    }

    private static String content(LayerExtractor.Found f) throws IOException {
        return Files.readString(f.file());
    }

    @Test
    void fileInTopLayerIsFoundWithoutReadingLowerLayers() throws Exception {
        Descriptor base = layer(true, true, "boot/", "boot/vmlinuz=old kernel", "usr/bin/sh=sh");
        Descriptor top = layer(true, true, "boot/", "boot/vmlinuz=new kernel", "boot/initrd.img=initrd");
        try (LayerExtractor x = extractor(base, top)) {
            Map<String, LayerExtractor.Found> found = x.extract(List.of("/boot/vmlinuz", "boot/initrd.img"));
            assertThat(content(found.get("/boot/vmlinuz"))).isEqualTo("new kernel");
            assertThat(content(found.get("boot/initrd.img"))).isEqualTo("initrd");
            assertThat(found.get("/boot/vmlinuz").digest()).isEqualTo(Digest.of("new kernel".getBytes()));
            assertThat(reads).containsExactly(top.digest());
        }
    }

    @Test
    void whiteoutHidesLowerFileAndOpaqueDirectoryHidesItsLowerContents() throws Exception {
        Descriptor base = layer(false, true, "boot/old-initrd=gone", "etc/conf/a=lower a", "boot/vmlinuz=kernel");
        Descriptor top = layer(true, true, "boot/.wh.old-initrd", "etc/conf/.wh..wh..opq", "etc/conf/b=upper b");
        try (LayerExtractor x = extractor(base, top)) {
            assertThatThrownBy(() -> x.extract(List.of("/boot/old-initrd")))
                    .isInstanceOf(BootFileNotFoundException.class).hasMessageContaining("whiteout");
            assertThat(reads).containsExactly(top.digest()); // provably absent: the base layer is never read
            assertThatThrownBy(() -> x.extract(List.of("/etc/conf/a"))).hasMessageContaining("whiteout");
            assertThat(content(x.extract(List.of("/etc/conf/b")).get("/etc/conf/b"))).isEqualTo("upper b");
            assertThat(content(x.extract(List.of("/boot/vmlinuz")).get("/boot/vmlinuz"))).isEqualTo("kernel");
        }
    }

    @Test
    void symlinkedKernelResolvesInsideTheImageAcrossLayers() throws Exception {
        Descriptor base = layer(true, true, "boot/vmlinuz-6.1.0=the kernel", "usr/lib/initrd=the initrd");
        // relative and absolute links, a ".." that would leave the root on the host, a linked parent directory
        Descriptor top = layer(true, true, "boot/vmlinuz -> vmlinuz-6.1.0", "initrd.img -> ../../../usr/lib/initrd",
                "lib -> usr/lib", "boot/abs -> /boot/vmlinuz");
        try (LayerExtractor x = extractor(base, top)) {
            Map<String, LayerExtractor.Found> found = x.extract(List.of("/boot/vmlinuz", "/initrd.img",
                    "/lib/initrd", "/boot/abs"));
            assertThat(content(found.get("/boot/vmlinuz"))).isEqualTo("the kernel");
            assertThat(found.get("/boot/vmlinuz").resolved()).isEqualTo("/boot/vmlinuz-6.1.0");
            assertThat(found.get("/boot/vmlinuz").layer().digest()).isEqualTo(base.digest());
            assertThat(content(found.get("/initrd.img"))).isEqualTo("the initrd");
            assertThat(content(found.get("/lib/initrd"))).isEqualTo("the initrd");
            assertThat(content(found.get("/boot/abs"))).isEqualTo("the kernel");
        }
    }

    @Test
    void symlinkWhoseTargetCameEarlierInTheSameLayerIsReadAgain() throws Exception {
        Descriptor only = layer(true, true, "boot/a-kernel=K", "boot/z-link -> a-kernel", "boot/hard => boot/a-kernel");
        try (LayerExtractor x = extractor(only)) {
            Map<String, LayerExtractor.Found> found = x.extract(List.of("/boot/z-link", "/boot/hard"));
            assertThat(content(found.get("/boot/z-link"))).isEqualTo("K");
            assertThat(content(found.get("/boot/hard"))).isEqualTo("K");
            assertThat(found.get("/boot/hard").resolved()).isEqualTo("/boot/a-kernel");
        }
    }

    @Test
    void danglingLinksLoopsAndDirectoriesAreClearErrors() throws Exception {
        Descriptor only = layer(false, true, "boot/", "boot/dangling -> nowhere", "loop1 -> loop2", "loop2 -> loop1");
        try (LayerExtractor x = extractor(only)) {
            assertThatThrownBy(() -> x.extract(List.of("/boot/dangling")))
                    .hasMessageContaining("/boot/nowhere, which is missing");
            assertThatThrownBy(() -> x.extract(List.of("/loop1"))).hasMessageContaining("symlink loop");
            assertThatThrownBy(() -> x.extract(List.of("/boot"))).hasMessageContaining("is a directory");
            assertThatThrownBy(() -> x.extract(List.of("/nope"))).hasMessageContaining("is not in the image");
        }
    }

    @Test
    void tarWithoutTrailerIsReadWhenItsDigestMatches() throws Exception {
        Descriptor base = layer(true, true, "boot/vmlinuz=kernel");
        Descriptor top = layer(true, false, "boot/INSERTED=x");
        try (LayerExtractor x = extractor(base, top)) {
            // the kernel is below the trailer-less layer: it must be read to its end and accepted
            assertThat(content(x.extract(List.of("/boot/vmlinuz")).get("/boot/vmlinuz"))).isEqualTo("kernel");
            assertThat(reads).containsExactly(top.digest(), base.digest());
        }
    }

    @Test
    void tarEndingInsideAnEntrysDataIsRefused() throws Exception {
        cutInsideData = 3;
        Descriptor base = layer(true, true, "boot/vmlinuz=kernel");
        Descriptor top = layer(true, false, "boot/INSERTED=inserted content");
        try (LayerExtractor x = extractor(base, top)) {
            assertThatThrownBy(() -> x.extract(List.of("/boot/vmlinuz")))
                    .isInstanceOf(LayerFormatException.class)
                    .hasMessageContaining("tar ends inside the data of boot/INSERTED (3 bytes missing)");
        }
    }

    @Test
    void corruptLayerBytesAreADigestErrorNotAFormatError() throws Exception {
        Descriptor good = layer(true, true, "boot/vmlinuz=kernel kernel kernel");
        byte[] bad = blobs.get(good.digest()).clone();
        bad[bad.length / 2] ^= 0x55;
        blobs.put(good.digest(), bad);
        try (LayerExtractor x = extractor(good)) {
            assertThatThrownBy(() -> x.extract(List.of("/boot/vmlinuz"))).hasMessageContaining("digest mismatch");
        }
        try (var files = Files.list(temp)) {
            assertThat(files).isEmpty(); // nothing extracted from the damaged layer is left behind
        }
    }

    /**
     * The damage that leaves the tar readable: a flipped byte inside a file's data of an uncompressed
     * layer. The file is captured before the digest can be checked; it must not outlive the check.
     */
    @Test
    void aFileCapturedFromALayerThatFailsItsDigestIsDeleted() throws Exception {
        Descriptor good = layer(false, true, "boot/vmlinuz=kernel kernel kernel");
        byte[] bad = blobs.get(good.digest()).clone();
        bad[512] ^= 0x55; // the first data byte, after the entry's 512-byte header
        blobs.put(good.digest(), bad);
        try (LayerExtractor x = extractor(good)) {
            assertThatThrownBy(() -> x.extract(List.of("/boot/vmlinuz"))).hasMessageContaining("digest mismatch");
        }
        try (var files = Files.list(temp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void conventionScanListsEveryVisibleFile() throws Exception {
        Descriptor base = layer(true, true, "boot/vmlinuz-5.10.0=old", "boot/vmlinuz-6.1.0=new",
                "boot/initrd.img-6.1.0=initrd new", "boot/initrd.img-5.10.0=initrd old", "boot/vmlinuz-6.9.0=gone");
        Descriptor top = layer(true, true, "boot/.wh.vmlinuz-6.9.0");
        try (LayerExtractor x = extractor(base, top)) {
            x.scanAll(BootFileConventions.CANDIDATE);
            BootFileConventions.Choice choice = BootFileConventions.choose(x.list()).orElseThrow();
            assertThat(choice.kernel()).isEqualTo("/boot/vmlinuz-6.1.0");
            assertThat(choice.initrd()).contains("/boot/initrd.img-6.1.0");
            assertThat(content(x.extract(List.of(choice.kernel())).get(choice.kernel()))).isEqualTo("new");
            assertThat(reads).hasSize(2); // captured during the scan, not read again
        }
    }
}
