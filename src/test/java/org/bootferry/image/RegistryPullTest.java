package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boot files out of images in a real registry (Debian's docker-registry on 127.0.0.1:17000). */
class RegistryPullTest {

    private static final int REGISTRY_PORT = 17000;
    private static final int PROXY_PORT = 17010;
    private static final int CDN_PORT = 17011;
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Platform ARM64 = Platform.parse("linux/arm64");

    @TempDir
    static Path shared;
    @TempDir
    Path cacheDir;

    private static LocalRegistry registry;
    private static TestImages images;
    private static String reg;

    @BeforeAll
    static void registryWithImages() throws Exception {
        images = TestImages.standard();
        registry = LocalRegistry.start(shared.resolve("registry"), REGISTRY_PORT, "");
        reg = registry.address();
        images.pushStandard(reg);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private ImageSettings settings() {
        return ImageSettings.defaults(cacheDir)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(500))
                .withRetry(new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(100)));
    }

    private ImageBootFiles resolve(ImageRequest request) throws Exception {
        try (ImageResolver resolver = new ImageResolver(settings())) {
            return resolver.resolve(request, PullListener.NONE);
        }
    }

    private static void assertFile(ImageFile file, byte[] expected) throws Exception {
        assertThat(file.digest()).isEqualTo(Digest.of(expected));
        assertThat(Digest.of(Files.readAllBytes(file.path()))).isEqualTo(Digest.of(expected));
        assertThat(file.path().getFileName().toString()).isEqualTo(file.digest().hex());
    }

    @Test
    void ociManifestGivesTheSymlinkedKernelFromTheLowerLayer() throws Exception {
        ImageBootFiles files = resolve(ImageRequest.of(reg + "/test/kernel:latest", AMD64)
                .withPaths("/boot/vmlinuz", "/boot/initrd.img"));
        assertFile(files.kernel(), TestImages.KERNEL_AMD64);
        assertFile(files.initrd().orElseThrow(), TestImages.INITRD);
        assertThat(files.kernel().resolvedPath()).isEqualTo("/boot/vmlinuz-6.1.0");
        assertThat(files.kernel().layer()).isEqualTo(images.layers("latest").get(0));
        assertThat(files.manifestDigest()).isEqualTo(images.manifestDigest("latest"));
        assertThat(files.kernelArgs()).contains("console=ttyS0 quiet");
        assertThat(files.stats().layersRead()).isEqualTo(2);
    }

    @Test
    void dockerSchema2ManifestGivesTheSameFiles() throws Exception {
        ImageBootFiles files = resolve(ImageRequest.of(reg + "/test/kernel:docker", AMD64)
                .withPaths("/boot/vmlinuz", "/boot/initrd.img"));
        assertFile(files.kernel(), TestImages.KERNEL_AMD64);
        assertFile(files.initrd().orElseThrow(), TestImages.INITRD);
        assertThat(files.manifestDigest()).isNotEqualTo(images.manifestDigest("latest"));
    }

    @Test
    void ociIndexAndDockerManifestListPickTheMachinesPlatform() throws Exception {
        for (String tag : List.of("multi", "multi-docker")) {
            String image = reg + "/test/kernel:" + tag;
            assertFile(resolve(ImageRequest.of(image, AMD64).withPaths("/boot/vmlinuz", null)).kernel(),
                    TestImages.KERNEL_AMD64);
            ImageBootFiles arm = resolve(ImageRequest.of(image, ARM64).withPaths("/boot/vmlinuz", null));
            assertFile(arm.kernel(), TestImages.KERNEL_ARM64);
            assertThat(arm.platform()).isEqualTo(ARM64);
            assertThatThrownBy(() -> resolve(ImageRequest.of(image, Platform.parse("linux/s390x"))))
                    .isInstanceOf(PlatformNotFoundException.class)
                    .hasMessageContaining("no linux/s390x variant").hasMessageContaining("linux/amd64, linux/arm64");
        }
    }

    @Test
    void singlePlatformImageIsNotBootedOnAnotherArchitecture() {
        assertThatThrownBy(() -> resolve(ImageRequest.of(reg + "/test/kernel:latest", ARM64)))
                .isInstanceOf(PlatformNotFoundException.class).hasMessageContaining("(it has: linux/amd64)");
    }

    @Test
    void zstdLayersAreRead() throws Exception {
        assertThat(images.manifest("zstd").path("layers").get(0).path("mediaType").asText()).endsWith("+zstd");
        ImageBootFiles files = resolve(ImageRequest.of(reg + "/test/kernel:zstd", AMD64)
                .withPaths("/boot/vmlinuz", "/boot/initrd.img"));
        assertFile(files.kernel(), TestImages.KERNEL_AMD64);
        assertFile(files.initrd().orElseThrow(), TestImages.INITRD);
    }

    @Test
    void fileDeletedByAWhiteoutIsReportedAsDeleted() {
        assertThatThrownBy(() -> resolve(ImageRequest.of(reg + "/test/kernel:latest", AMD64)
                .withPaths("/boot/vmlinuz", "/boot/old-initrd")))
                .isInstanceOf(BootFileNotFoundException.class)
                .hasMessageContaining("/boot/old-initrd was deleted by a whiteout")
                .hasMessageContaining(reg + "/test/kernel:latest");
    }

    @Test
    void conventionsPickTheNewestKernelAndItsInitrd() throws Exception {
        ImageBootFiles files = resolve(ImageRequest.of(reg + "/test/kernel:latest", AMD64));
        assertThat(files.kernel().imagePath()).isEqualTo("/boot/vmlinuz-6.1.0");
        assertThat(files.initrd().orElseThrow().imagePath()).isEqualTo("/boot/initrd.img-6.1.0");
        assertFile(files.kernel(), TestImages.KERNEL_AMD64);
        assertThat(files.foundBy()).contains("/boot/vmlinuz-<newest version>");
        ImageBootFiles virtink = resolve(ImageRequest.of(reg + "/test/virtink", AMD64));
        assertThat(virtink.foundBy()).contains("Virtink");
        assertFile(virtink.kernel(), TestImages.VMLINUX);
    }

    @Test
    void onlyTheTopLayerIsDownloadedWhenItHoldsTheKernel() throws Exception {
        Digest filler = images.layers("virtink").get(0);
        long before = registry.requests("GET /v2/test/virtink/blobs/" + filler);
        ImageBootFiles files = resolve(ImageRequest.of(reg + "/test/virtink:latest", AMD64).withPaths("/vmlinux", null));
        assertFile(files.kernel(), TestImages.VMLINUX);
        assertThat(files.stats().layersRead()).isEqualTo(1);
        assertThat(files.stats().layers()).isEqualTo(2);
        assertThat(registry.requests("GET /v2/test/virtink/blobs/" + filler)).isEqualTo(before);
    }

    /**
     * The kernel's format is read once, when it is extracted, and kept in the plan record: a restarted
     * resolver answers with the recorded one (edited here to tell it apart from a fresh read), and one
     * whose record predates formats reads it from the cached kernel.
     */
    @Test
    void theKernelsFormatIsRecordedWithThePlanAndReadFromTheKernelForOlderRecords() throws Exception {
        ImageRequest request = ImageRequest.of(reg + "/test/virtink:latest", AMD64);
        KernelFormat read = resolve(request).kernelFormat();
        assertThat(read.kind()).isEqualTo(KernelFormat.Kind.UNKNOWN);
        assertThat(read.detail()).isEqualTo("first bytes "
                + HexFormat.ofDelimiter(" ").formatHex(TestImages.VMLINUX, 0, 8));

        List<Path> records;
        try (Stream<Path> plans = Files.list(cacheDir.resolve("records/plans"))) {
            records = plans.toList();
        }
        assertThat(records).hasSize(1);
        Path record = records.get(0);
        ObjectNode json = (ObjectNode) TestImages.JSON.readTree(record.toFile());
        assertThat(json.path("kernelFormat").path("kind").asText()).isEqualTo("UNKNOWN");
        ((ObjectNode) json.path("kernelFormat")).put("detail", "as recorded");
        Files.write(record, TestImages.JSON.writeValueAsBytes(json));
        ImageRequest offline = request.withPullPolicy(PullPolicy.NEVER);
        assertThat(resolve(offline).kernelFormat().detail()).isEqualTo("as recorded");

        json.remove("kernelFormat");
        Files.write(record, TestImages.JSON.writeValueAsBytes(json));
        assertThat(resolve(offline).kernelFormat()).isEqualTo(read);
    }

    @Test
    void layerWithoutTarTrailerIsAcceptedBecauseItsDigestMatches() throws Exception {
        String image = reg + "/test/kernel:truncated";
        ImageBootFiles inserted = resolve(ImageRequest.of(image, AMD64).withPaths("/boot/INSERTED", null));
        assertFile(inserted.kernel(), "x\n".getBytes());
        // below the trailer-less layer: it is read to its very end on the way down
        assertFile(resolve(ImageRequest.of(image, AMD64).withPaths("/boot/vmlinuz-5.10.0", null)).kernel(),
                TestImages.KERNEL_OLD);
    }

    @Test
    void unknownTagAndSchemaProblemsAreClearErrors() {
        assertThatThrownBy(() -> resolve(ImageRequest.of(reg + "/test/kernel:nope", AMD64)))
                .isInstanceOf(ManifestUnknownException.class)
                .hasMessageContaining("image " + reg + "/test/kernel:nope not found").hasMessageContaining("MANIFEST_UNKNOWN");
        assertThatThrownBy(() -> resolve(ImageRequest.of(reg + "/test/no-such-repo:v1", AMD64)))
                .isInstanceOf(ManifestUnknownException.class);
    }

    @Test
    void pullPoliciesFollowKubevirt() throws Exception {
        String image = reg + "/test/policy:current";
        images.push("latest", image);
        ImageRequest request = ImageRequest.of(image, AMD64).withPaths("/boot/vmlinuz", null);
        assertThatThrownBy(() -> resolve(request.withPullPolicy(PullPolicy.NEVER)))
                .isInstanceOf(NotCachedException.class).hasMessageContaining("imagePullPolicy is Never")
                .hasMessageContaining("bootferry pull " + image);
        ImageBootFiles first = resolve(request);
        assertThat(first.stats().fromCache()).isFalse();
        assertFile(first.kernel(), TestImages.KERNEL_AMD64);
        assertThat(resolve(request).stats().fromCache()).isTrue();
        assertThat(resolve(request.withPullPolicy(PullPolicy.NEVER)).manifestDigest()).isEqualTo(first.manifestDigest());

        images.push("newer", image); // someone pushes a new kernel under the same tag
        assertFile(resolve(request).kernel(), TestImages.KERNEL_AMD64);
        ImageBootFiles always = resolve(request.withPullPolicy(PullPolicy.ALWAYS));
        assertFile(always.kernel(), TestImages.KERNEL_NEW);
        assertThat(always.manifestDigest()).isEqualTo(images.manifestDigest("newer"));
        // once re-resolved, IfNotPresent boots the new one too
        assertFile(resolve(request).kernel(), TestImages.KERNEL_NEW);
    }

    @Test
    void registryDownBootsTheCachedImageOnlyWhereThatIsAllowed() throws Exception {
        ImageRequest request;
        try (FaultProxy proxy = new FaultProxy(PROXY_PORT, CDN_PORT, reg, null)) {
            request = ImageRequest.of(proxy.address() + "/test/kernel:latest", AMD64)
                    .withPaths("/boot/vmlinuz", "/boot/initrd.img").withPullPolicy(PullPolicy.ALWAYS);
            assertThat(resolve(request).stale()).isFalse();
        }
        // the proxy is gone: connection refused
        assertThatThrownBy(() -> resolve(request)).isInstanceOf(RegistryUnreachableException.class)
                .hasMessageContaining("connection refused").hasMessageContaining("failed 4 times");
        assertThat(resolve(request.withPullPolicy(PullPolicy.IF_NOT_PRESENT)).stats().fromCache()).isTrue();
        try (ImageResolver staleOk = new ImageResolver(settings().withStaleOk(true))) {
            ImageBootFiles stale = staleOk.resolve(request, PullListener.NONE);
            assertThat(stale.stale()).isTrue();
            assertThat(stale.warnings()).singleElement().asString().contains("registry unreachable");
            assertFile(stale.kernel(), TestImages.KERNEL_AMD64);
        }
    }

    @Test
    void concurrentBootsOfOneUncachedImageShareOnePull() throws Exception {
        String image = reg + "/test/flight:latest";
        images.push("latest", image);
        Digest base = images.layers("latest").get(0);
        ImageRequest request = ImageRequest.of(image, AMD64).withPaths("/boot/vmlinuz", "/boot/initrd.img");
        int machines = 200;
        List<Future<ImageBootFiles>> results = new ArrayList<>();
        try (ImageResolver resolver = new ImageResolver(settings())) {
            ExecutorService pool = Executors.newFixedThreadPool(machines);
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < machines; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return resolver.resolve(request, PullListener.NONE);
                }));
            }
            go.countDown();
            for (Future<ImageBootFiles> f : results) {
                assertFile(f.get().kernel(), TestImages.KERNEL_AMD64);
            }
            pool.shutdown();
        }
        assertThat(registry.requests("GET /v2/test/flight/manifests/latest ")).isEqualTo(1);
        assertThat(registry.requests("GET /v2/test/flight/blobs/" + base)).isEqualTo(1);
    }

    /** Futures ({@code resolveAsync}) and waits ({@code resolve}) join the same flight; its starter hears the end. */
    @Test
    void futuresAndWaitsForOneImageShareOnePull() throws Exception {
        String image = reg + "/test/async:latest";
        images.push("latest", image);
        ImageRequest request = ImageRequest.of(image, AMD64).withPaths("/boot/vmlinuz", "/boot/initrd.img");
        int machines = 100;
        List<ImageBootFiles> heard = Collections.synchronizedList(new ArrayList<>());
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        PullListener listener = new PullListener() {
            @Override
            public void finished(ImageBootFiles files) {
                heard.add(files);
            }

            @Override
            public void failed(Exception cause) {
                failures.add(cause);
            }
        };
        List<Future<ImageBootFiles>> results = new ArrayList<>();
        try (ImageResolver resolver = new ImageResolver(settings())) {
            ExecutorService pool = Executors.newFixedThreadPool(machines);
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < machines; i++) {
                boolean async = i % 2 == 0;
                results.add(pool.submit(() -> {
                    go.await();
                    return async ? resolver.resolveAsync(request, listener).get() : resolver.resolve(request, listener);
                }));
            }
            go.countDown();
            for (Future<ImageBootFiles> f : results) {
                assertFile(f.get().kernel(), TestImages.KERNEL_AMD64);
            }
            pool.shutdown();
        }
        assertThat(registry.requests("GET /v2/test/async/manifests/latest ")).isEqualTo(1);
        assertThat(failures).isEmpty();
        // The pull's starter heard it; calls after it had ended were answered from memory and heard that.
        assertThat(heard).filteredOn(f -> !f.stats().fromCache()).hasSize(1);
        assertThat(heard.size()).isBetween(1, machines);
    }

    @Test
    void aClosedResolverStartsNoPull() throws Exception {
        ImageResolver resolver = new ImageResolver(settings());
        resolver.close();
        assertThat(resolver.resolveAsync(ImageRequest.of(reg + "/test/kernel:latest", AMD64), PullListener.NONE))
                .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(ImageException.class).withMessageContaining("closed");
    }

    @Test
    void transientFaultsAreRetriedWithBackoffAndReported() throws Exception {
        Digest base = images.layers("latest").get(0);
        List<String> retries = Collections.synchronizedList(new ArrayList<>());
        PullListener listener = new PullListener() {
            @Override
            public void retrying(String what, int attempt, String cause, Duration delay) {
                retries.add(cause);
            }
        };
        try (FaultProxy proxy = new FaultProxy(PROXY_PORT, CDN_PORT, reg, null);
                ImageResolver resolver = new ImageResolver(settings().withRetry(
                        new RetryPolicy(6, Duration.ofMillis(20), Duration.ofMillis(100))))) {
            proxy.inject("/manifests/latest", FaultProxy.Fault.STATUS_500, 1);
            proxy.inject(base.hex(), FaultProxy.Fault.RESET, 1);
            proxy.inject(base.hex(), FaultProxy.Fault.CORRUPT, 1);
            proxy.inject(base.hex(), FaultProxy.Fault.STALL, 1);
            proxy.inject(base.hex(), FaultProxy.Fault.STATUS_500, 1);
            ImageBootFiles files = resolver.resolve(ImageRequest.of(proxy.address() + "/test/kernel:latest", AMD64)
                    .withPaths("/boot/vmlinuz", "/boot/initrd.img"), listener);
            assertFile(files.kernel(), TestImages.KERNEL_AMD64);
            assertFile(files.initrd().orElseThrow(), TestImages.INITRD);
            assertThat(proxy.count("proxy", "GET", base.hex())).isEqualTo(5);
        }
        assertThat(retries).hasSize(5);
        assertThat(retries.get(0)).contains("HTTP 500");
        assertThat(retries.get(1)).contains("connection lost after");
        assertThat(retries.get(2)).contains("digest mismatch: expected " + base);
        assertThat(retries.get(3)).contains("stalled: no data for 500 ms");
        assertThat(retries.get(4)).contains("HTTP 500");
    }

    @Test
    void persistentlyCorruptBlobIsNeverCachedOrServed() throws Exception {
        Digest base = images.layers("latest").get(0);
        try (FaultProxy proxy = new FaultProxy(PROXY_PORT, CDN_PORT, reg, null)) {
            proxy.inject(base.hex(), FaultProxy.Fault.CORRUPT, 100);
            assertThatThrownBy(() -> resolve(ImageRequest.of(proxy.address() + "/test/kernel:latest", AMD64)
                    .withPaths("/boot/vmlinuz", null)))
                    .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
                        assertThat(e.expected()).isEqualTo(base);
                        assertThat(e.actual()).isNotEqualTo(base);
                        assertThat(e.getMessage()).contains("expected " + base).contains("4 attempts");
                    });
        }
        assertThat(cacheDir.resolve("blobs/sha256").resolve(Digest.of(TestImages.KERNEL_AMD64).hex())).doesNotExist();
        try (Stream<Path> tmp = Files.list(cacheDir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void registryThatKeepsFailingIsReportedWithEveryCause() throws Exception {
        try (FaultProxy proxy = new FaultProxy(PROXY_PORT, CDN_PORT, reg, null)) {
            proxy.inject("/manifests/", FaultProxy.Fault.STATUS_500, 100);
            assertThatThrownBy(() -> resolve(ImageRequest.of(proxy.address() + "/test/kernel:latest", AMD64)))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining("failed 4 times (HTTP 500 from " + proxy.address());
        }
    }

    @Test
    void cacheSizeLimitEvictsUnpinnedFilesFirst() throws Exception {
        long limit = TestImages.KERNEL_AMD64.length + TestImages.INITRD.length + 200_000;
        try (ImageResolver resolver = new ImageResolver(settings().withCacheLimit(limit))) {
            ImageRequest old = ImageRequest.of(reg + "/test/kernel:latest", AMD64).withPaths("/boot/vmlinuz-5.10.0",
                    "/boot/initrd.img-5.10.0");
            ImageBootFiles oldFiles = resolver.resolve(old, PullListener.NONE);
            ImageBootFiles current = resolver.resolve(ImageRequest.of(reg + "/test/kernel:latest", AMD64)
                    .withPaths("/boot/vmlinuz", "/boot/initrd.img"), PullListener.NONE);
            // both answers are pinned (in use): over the limit, nothing evicted
            assertThat(oldFiles.kernel().path()).exists();
            assertThat(resolver.cache().size()).isGreaterThan(limit);
            assertFile(current.kernel(), TestImages.KERNEL_AMD64);
        }
        // a fresh process pins nothing until asked: the least recently used files go first
        try (ImageResolver resolver = new ImageResolver(settings().withCacheLimit(limit))) {
            resolver.cache().evict();
            assertThat(resolver.cache().size()).isLessThanOrEqualTo(limit);
            assertThat(cacheDir.resolve("blobs/sha256").resolve(Digest.of(TestImages.KERNEL_OLD).hex())).doesNotExist();
            assertThat(cacheDir.resolve("blobs/sha256").resolve(Digest.of(TestImages.INITRD).hex())).exists();
        }
    }

    @Test
    void insecureRegistriesAreOnlyLoopbackOrListed() throws Exception {
        ImageSettings listed = settings().withInsecureRegistries(Set.of("registry.bfi.invalid:5000"));
        assertThat(listed.insecureRegistries()).contains("registry.bfi.invalid:5000");
        // a non-loopback registry not listed is spoken to over https only: the request never leaves as http
        assertThatThrownBy(() -> resolve(ImageRequest.of("registry.bfi.invalid/test/kernel:latest", AMD64)))
                .isInstanceOf(RegistryUnreachableException.class).hasMessageContaining("unknown host");
    }
}
