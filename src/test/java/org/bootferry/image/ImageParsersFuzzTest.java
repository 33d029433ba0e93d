package org.bootferry.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bootferry.testing.Allocation;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jazzer on what a registry (or whoever answers in its place) sends: manifests and layer tars. Only
 * {@link ImageException}s come out (each a cause an admin can act on), a tar's header sizes never
 * decide what is allocated, and nothing is left in the temporary directory but what was handed out.
 */
class ImageParsersFuzzTest {

    /** JUnit removes it after the class, whatever a refused layer left in it. */
    @TempDir
    static Path temp;
    private static final List<String> WANTED = List.of("/boot/vmlinuz", "/boot/initrd.img");

    @FuzzTest(maxDuration = "2m")
    void anyManifestParsesOrIsRefused(byte[] body) throws Exception {
        Allocation.bounded(body.length, 512, 4 << 20, () -> {
            for (String type : new String[] {null, "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json"}) {
                try {
                    Manifest.parse(type, body, "fuzz");
                } catch (UnsupportedManifestException refused) {
                    // the message says why
                }
            }
        });
    }

    /** The fuzzed bytes are one layer, as an uncompressed tar, verified against their own digest. */
    @FuzzTest(maxDuration = "2m")
    void anyLayerTarGivesItsFilesOrAnImageException(byte[] tar) throws Exception {
        Descriptor layer = new Descriptor("application/vnd.oci.image.layer.v1.tar", Digest.of(tar), tar.length, Optional.empty(), java.util.Map.of());
        LayerExtractor.LayerSource source = new MemoryLayers(d -> tar);
        Allocation.bounded(tar.length, 64, 4 << 20, () -> {
            try (LayerExtractor x = new LayerExtractor(List.of(layer), source, temp, PullListener.NONE, Runnable::run)) {
                x.extract(WANTED).values().forEach(f -> {
                    try {
                        Files.deleteIfExists(f.file());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (ImageException refused) {
                // not a layer with those files: the message says why
            }
        });
    }
}
