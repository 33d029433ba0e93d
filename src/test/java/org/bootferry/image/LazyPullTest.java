package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * the initrd and deletes a file of the big one; and a one-layer image whose layer holds both boot
 * files, which are fetched side by side.
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
    private static final byte[] PAIR_KERNEL = TestImages.bytes("pair kernel", 6_000_000);
    private static final byte[] PAIR_INITRD = TestImages.bytes("pair initrd", 9_000_000);

    @TempDir
    static Path shared;
    @TempDir
    Path cacheDir;

    private static LocalRegistry registry;
    private static String image;
    private static Descriptor bigLayer;
    private static String pair;
    private static Descriptor pairLayer;

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
        images.newImage("pair");
        images.layer("pair", root -> {
            TestImages.write(root, "/a/filler", TestImages.bytes("pair filler", 4 << 20));
            TestImages.write(root, "/boot/initrd.img", PAIR_INITRD);
            TestImages.write(root, "/boot/vmlinuz", PAIR_KERNEL);
        });
        pair = registry.address() + "/test/pair:chunked";
        images.push("pair", pair, "--dest-compress-format", "zstd:chunked");
        bigLayer = chunkedLayers(image).get(0);
        pairLayer = chunkedLayers(pair).get(0);
    }

    private static List<Descriptor> chunkedLayers(String ref) throws Exception {
        RegistryClient client = new RegistryClient(ImageSettings.defaults(shared.resolve("probe")));
        ImageReference r = ImageReference.parse(ref);
        Manifest.Image m = (Manifest.Image) client.pullManifest(r, r.manifestReference(), null, PullListener.NONE)
                .manifest();
        assertThat(m.layers()).allSatisfy(l -> assertThat(l.annotations()).containsKey(ChunkedToc.POSITION));
        return m.layers();
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
    void kernelAndInitrdOfOneLayerArriveSideBySide() throws Exception {
        long before = registry.requests("GET /v2/test/pair/blobs/" + pairLayer.digest());
        // Each fetch waits in its first progress report until the other has reported too: fetched one
        // after the other, the first would wait in vain.
        CountDownLatch both = new CountDownLatch(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        long toc = ChunkedToc.position(pairLayer).orElseThrow().offset(); // the files' bytes lie before it
        PullListener rendezvous = new PullListener() {
            @Override
            public void progress(Descriptor blob, long received) {
                if (blob.equals(pairLayer) && received < toc && threads.add(Thread.currentThread().getName())) {
                    both.countDown();
                    try {
                        both.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        ImageBootFiles files;
        try (ImageResolver resolver = new ImageResolver(settings())) {
            files = resolver.resolve(ImageRequest.of(pair, AMD64).withPaths("/boot/vmlinuz", "/boot/initrd.img"),
                    rendezvous);
        }
        assertThat(both.getCount()).as("fetches in flight at once").isZero();
        assertThat(threads).hasSize(2);
        assertThat(Files.readAllBytes(files.kernel().path())).isEqualTo(PAIR_KERNEL);
        assertThat(Files.readAllBytes(files.initrd().orElseThrow().path())).isEqualTo(PAIR_INITRD);
        // the TOC, then one Range request per file
        assertThat(registry.requests("GET /v2/test/pair/blobs/" + pairLayer.digest()) - before).isEqualTo(3);
        assertThat(files.stats().bytesRead()).isLessThan((PAIR_KERNEL.length + PAIR_INITRD.length) * 12L / 10);
    }

    @Test
    void aCorruptChunkInOneOfTwoFilesFetchedAtOnceLeavesNeitherBehind() throws Exception {
        Path blob = blob(pairLayer);
        ChunkedToc.Entry initrd = toc(blob, pairLayer).stream().filter(e -> e.name().endsWith("initrd.img"))
                .findFirst().orElseThrow();
        ChunkedToc.Chunk last = initrd.chunks().get(initrd.chunks().size() - 1);
        long at = (last.offset() + last.end()) / 2;
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
            try (ImageResolver resolver = new ImageResolver(settings())) {
                assertThatThrownBy(() -> resolver.resolve(ImageRequest.of(pair, AMD64).withPaths("/boot/vmlinuz",
                        "/boot/initrd.img"), PullListener.NONE)).isInstanceOf(DigestMismatchException.class)
                        .hasMessageContaining("expected " + last.digest());
                assertThat(resolver.cache().blob(Digest.of(PAIR_KERNEL))).isEmpty();
                assertThat(resolver.cache().blob(Digest.of(PAIR_INITRD))).isEmpty();
            } finally {
                f.seek(at);
                f.write(b);
            }
        }
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aCorruptChunkFailsClearlyAndLeavesNothingBehind() throws Exception {
        Path blob = blob(bigLayer);
        ChunkedToc.Entry kernel = toc(blob, bigLayer).stream().filter(e -> e.name().endsWith("vmlinuz-6.1.0")).findFirst()
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

    /** Where the registry keeps the blob of {@code layer}. */
    private static Path blob(Descriptor layer) throws Exception {
        try (Stream<Path> files = Files.walk(shared.resolve("registry/storage"))) {
            return files.filter(p -> p.endsWith("data")
                    && p.getParent().getFileName().toString().equals(layer.digest().hex())).findFirst().orElseThrow();
        }
    }

    private static List<ChunkedToc.Entry> toc(Path blob, Descriptor layer) throws Exception {
        ChunkedToc.Position p = ChunkedToc.position(layer).orElseThrow();
        byte[] compressed = new byte[(int) p.length()];
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "r")) {
            f.seek(p.offset());
            f.readFully(compressed);
        }
        try (var z = new com.github.luben.zstd.ZstdInputStreamNoFinalizer(new java.io.ByteArrayInputStream(compressed))) {
            return ChunkedToc.parse(z.readAllBytes(), layer);
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
