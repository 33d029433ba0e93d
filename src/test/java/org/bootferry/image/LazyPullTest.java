package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lazy pulls of zstd:chunked layers from a real registry (Debian's docker-registry), the layers
 * converted by skopeo's own {@code --dest-compress-format zstd:chunked}: a 64 MiB layer of
 * incompressible filler with the kernel and initrd after it, and a small layer above that replaces
 * the initrd and deletes a file of the big one.
 */
class LazyPullTest {

    private static final int REGISTRY_PORT = 17140;
    private static final int PROXY_PORT = 17141;
    private static final int CDN_PORT = 17142;
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final byte[] FILLER = TestImages.bytes("lazy filler", 64 << 20);
    private static final byte[] KERNEL = TestImages.bytes("lazy kernel", 1_500_000);
    private static final byte[] INITRD_BELOW = TestImages.bytes("lazy initrd below", 2_000_000);
    private static final byte[] INITRD = TestImages.bytes("lazy initrd", 2_200_000);

    @TempDir
    static Path shared;
    @TempDir
    Path cacheDir;

    private static LocalRegistry registry;
    private static String image;
    private static Descriptor bigLayer;

    @BeforeAll
    static void chunkedImageInARegistry() throws Exception {
        TestImages images = new TestImages(shared.resolve("images"));
        images.newImage("lazy");
        // umoci writes a layer's tar in path order: /a/filler first, the boot files after it.
        images.layer("lazy", root -> {
            TestImages.write(root, "/a/filler", FILLER);
            TestImages.write(root, "/boot/vmlinuz-6.1.0", KERNEL);
            TestImages.write(root, "/boot/initrd.img-6.1.0", INITRD_BELOW);
            TestImages.write(root, "/boot/config-6.1.0", "CONFIG_X=y\n".getBytes());
            TestImages.symlink(root, "/boot/vmlinuz", "vmlinuz-6.1.0");
        });
        images.layer("lazy", root -> {
            TestImages.write(root, "/boot/initrd.img-6.1.0", INITRD);
            Files.delete(root.resolve("boot/config-6.1.0"));
        });
        registry = LocalRegistry.start(shared.resolve("registry"), REGISTRY_PORT, "");
        image = registry.address() + "/test/lazy:chunked";
        images.push("lazy", image, "--dest-compress-format", "zstd:chunked");
        try (ImageResolver resolver = new ImageResolver(ImageSettings.defaults(shared.resolve("probe")))) {
            RegistryClient client = new RegistryClient(resolver.settings());
            ImageReference ref = ImageReference.parse(image);
            Manifest.Image m = (Manifest.Image) client.pullManifest(ref, "chunked", null, PullListener.NONE).manifest();
            bigLayer = m.layers().get(0);
            assertThat(m.layers()).allSatisfy(l -> assertThat(l.annotations()).containsKey(ChunkedToc.POSITION));
        }
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private ImageSettings settings() {
        return ImageSettings.defaults(cacheDir)
                // no stalls here: FaultProxy reads a whole 70 MB blob before it answers, on a loaded machine
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withRetry(new RetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(50)));
    }

    private ImageBootFiles resolve(String ref) throws Exception {
        try (ImageResolver resolver = new ImageResolver(settings())) {
            return resolver.resolve(ImageRequest.of(ref, AMD64).withPaths("/boot/vmlinuz", "/boot/initrd.img-6.1.0"),
                    PullListener.NONE);
        }
    }

    @Test
    void bootFilesAtTheEndOfABigLayerCostLittleMoreThanThemselves() throws Exception {
        long before = registry.bytesSent("GET ");
        ImageBootFiles files = resolve(image);
        assertThat(Files.readAllBytes(files.kernel().path())).isEqualTo(KERNEL);
        assertThat(files.kernel().resolvedPath()).isEqualTo("/boot/vmlinuz-6.1.0");
        // the upper layer's initrd wins over the big layer's, as with a whole pull
        assertThat(Files.readAllBytes(files.initrd().orElseThrow().path())).isEqualTo(INITRD);
        long bootFiles = KERNEL.length + INITRD.length;
        long fetched = awaitRegistryCount(before, files.stats().bytesRead());
        assertThat(fetched).isEqualTo(files.stats().bytesRead()).isLessThanOrEqualTo(bootFiles * 12 / 10);
        assertThat(bigLayer.size()).isGreaterThan(FILLER.length);
    }

    @Test
    void aFileAnUpperChunkedLayerDeletedStaysDeleted() {
        assertThatThrownBy(() -> {
            try (ImageResolver resolver = new ImageResolver(settings())) {
                resolver.resolve(ImageRequest.of(image, AMD64).withPaths("/boot/config-6.1.0", null), PullListener.NONE);
            }
        }).isInstanceOf(BootFileNotFoundException.class).hasMessageContaining("deleted by a whiteout");
    }

    @Test
    void aRegistryThatIgnoresRangeGivesTheWholeBlobVerifiedAsToday() throws Exception {
        // FaultProxy forwards no Range header: behind it the registry answers 200 with whole blobs.
        try (FaultProxy proxy = new FaultProxy(PROXY_PORT, CDN_PORT, registry.address(), null)) {
            ImageBootFiles files = resolve(proxy.address() + "/test/lazy:chunked");
            assertThat(Files.readAllBytes(files.kernel().path())).isEqualTo(KERNEL);
            assertThat(Files.readAllBytes(files.initrd().orElseThrow().path())).isEqualTo(INITRD);
            assertThat(files.stats().bytesRead()).isGreaterThan(bigLayer.size());
            assertThat(proxy.count("proxy", "GET", bigLayer.digest().toString())).isEqualTo(2); // TOC try, then whole
        }
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aCorruptChunkFailsClearlyAndLeavesNothingBehind() throws Exception {
        Path blob = Files.walk(shared.resolve("registry/storage")).filter(p -> p.endsWith("data")
                && p.getParent().getFileName().toString().equals(bigLayer.digest().hex())).findFirst().orElseThrow();
        ChunkedToc.Entry kernel = toc(blob).stream().filter(e -> e.name().endsWith("vmlinuz-6.1.0")).findFirst()
                .orElseThrow();
        ChunkedToc.Chunk first = kernel.chunks().get(0);
        long at = (first.offset() + first.end()) / 2;
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
            try {
                assertThatThrownBy(() -> resolve(image)).isInstanceOf(DigestMismatchException.class)
                        .hasMessageContaining("bytes=" + kernel.compressedStart() + "-")
                        .hasMessageContaining("expected " + first.digest());
            } finally {
                f.seek(at);
                f.write(b);
            }
        }
        try (ImageResolver resolver = new ImageResolver(settings())) {
            assertThat(resolver.cache().blob(Digest.of(KERNEL))).isEmpty();
            assertThat(resolver.cache().blob(Digest.of(INITRD))).isEmpty();
        }
        assertThat(tempFiles()).isEmpty();
    }

    private List<Path> tempFiles() throws Exception {
        try (ImageResolver resolver = new ImageResolver(settings())) {
            Path temp = resolver.cache().tempDir();
            if (!Files.exists(temp)) {
                return List.of();
            }
            try (Stream<Path> s = Files.list(temp)) {
                return s.toList();
            }
        }
    }

    private static List<ChunkedToc.Entry> toc(Path blob) throws Exception {
        ChunkedToc.Position p = ChunkedToc.position(bigLayer).orElseThrow();
        byte[] compressed = new byte[(int) p.length()];
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "r")) {
            f.seek(p.offset());
            f.readFully(compressed);
        }
        try (var z = new com.github.luben.zstd.ZstdInputStreamNoFinalizer(new java.io.ByteArrayInputStream(compressed))) {
            return ChunkedToc.parse(z.readAllBytes(), bigLayer);
        }
    }

    /**
     * The registry logs a request when its handler returns, a moment after the client has the last
     * byte: waits (up to 5 s) for its count of what it sent since {@code before} to reach the client's.
     */
    private static long awaitRegistryCount(long before, long clientCount) throws Exception {
        long sent = registry.bytesSent("GET ") - before;
        for (int i = 0; i < 100 && sent < clientCount; i++) {
            Thread.sleep(50);
            sent = registry.bytesSent("GET ") - before;
        }
        return sent;
    }
}
