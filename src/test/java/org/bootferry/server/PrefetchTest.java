package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bootferry.image.Digest;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.RegistryGate;
import org.bootferry.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machine files added under a running server have their images pulled in the background, before any
 * boot: from a real registry (Debian's docker-registry), whose access log says what bootferry fetched
 * and in which order.
 */
class PrefetchTest {

    private static final int REGISTRY_PORT = 17150;
    private static final int HTTP_PORT = 17151;
    private static final int TFTP_PORT = 17152;
    private static final int GATE_PORT = 17153;
    private static final List<String> MACS = List.of("52-54-00-bf-0f-01", "52-54-00-bf-0f-02", "52-54-00-bf-0f-03");

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static LocalRegistry registry;
    private static String reg;
    private ConfigDir config;
    private InProcessServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void registryWithImages() throws Exception {
        TestImages images = TestImages.standard();
        registry = LocalRegistry.start(shared.resolve("registry"), REGISTRY_PORT, "");
        reg = registry.address();
        // One repository per machine and test, so that each one's access log lines are its own.
        for (String repo : List.of("one", "serial-a", "serial-b", "serial-c", "joined")) { // not "later": pushed by its test
            images.push("latest", reg + "/test/" + repo + ":1");
        }
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A running server whose config has no machine yet; {@code prefetchPulls} at most at once. */
    private void startServer(int prefetchPulls) throws Exception {
        config = new ConfigDir(tmp.resolve("config"));
        config.loopbackServer(tmp, HTTP_PORT, TFTP_PORT, "images:", "  prefetchPulls: " + prefetchPulls);
        server = InProcessServer.start(config.dir());
    }

    private void machine(String mac, String repo) {
        machine(mac, repo, reg);
    }

    /** @param registryAddress where the machine's image reference says the registry is */
    private void machine(String mac, String repo, String registryAddress) {
        config.file("machines/" + mac + ".yaml", "hostname: pre-" + repo, "access: open", "kernelBoot:",
                "  container:", "    image: " + registryAddress + "/test/" + repo + ":1", "    kernelPath: /boot/vmlinuz",
                "    initrdPath: /boot/initrd.img");
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The machine's {@code /api/machines/M} (explain) once its prefetch state starts with {@code state}. */
    private JsonNode waitFor(String mac, String state) throws Exception {
        JsonNode machine = JSON.createObjectNode();
        for (int i = 0; i < 300 && !machine.path("imagePull").asText().startsWith(state); i++) {
            Thread.sleep(50);
            machine = JSON.readTree(get("/api/machines/" + mac).body());
        }
        return machine;
    }

    private String waitUntilDone(String mac) throws Exception {
        return waitFor(mac, "done").path("imagePull").asText();
    }

    private static long registryGets(String repo) throws Exception {
        return registry.requests("GET /v2/test/" + repo + "/") + registry.requests("HEAD /v2/test/" + repo + "/");
    }

    @Test
    void anAddedMachineFilesImageIsPulledBeforeItsBootWhichTheCacheAnswers() throws Exception {
        startServer(2);
        assertThat(registryGets("one")).isZero();
        machine(MACS.get(0), "one");
        server.holder.reload();

        assertThat(waitUntilDone(MACS.get(0))).isEqualTo("done");
        assertThat(registry.requests("GET /v2/test/one/blobs/")).as("layers fetched before any boot").isPositive();
        assertThat(new String(get("/").body())).as("the status page").contains("prefetch: done");
        long beforeBoot = registryGets("one");

        HttpResponse<byte[]> kernel = get("/boot/" + MACS.get(0) + "/kernel");
        assertThat(kernel.statusCode()).isEqualTo(200);
        assertThat(Digest.of(kernel.body())).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
        HttpResponse<byte[]> initrd = get("/boot/" + MACS.get(0) + "/initrd");
        assertThat(Digest.of(initrd.body())).isEqualTo(Digest.of(TestImages.INITRD));
        assertThat(registryGets("one")).as("the boot asked the registry nothing").isEqualTo(beforeBoot);
        assertThat(new String(get("/metrics").body())).contains("bootferry_image_resolves_total{result=\"pulled\"} 1.0");
    }

    @Test
    void withALimitOfOneTheImagesOfThreeFilesArePulledOneAfterTheOther() throws Exception {
        startServer(1);
        List<String> repos = List.of("serial-a", "serial-b", "serial-c");
        for (int i = 0; i < 3; i++) {
            machine(MACS.get(i), repos.get(i));
        }
        server.holder.reload();
        for (String mac : MACS) {
            assertThat(waitUntilDone(mac)).isEqualTo("done");
        }
        // The access log in the order the registry answered: each image's requests all before the next's.
        List<String> order = new ArrayList<>();
        for (String line : Files.readAllLines(shared.resolve("registry/access.log"))) {
            repos.stream().filter(r -> line.contains(" /v2/test/" + r + "/") && line.endsWith("\"bootferry\""))
                    .findFirst().filter(r -> order.isEmpty() || !order.get(order.size() - 1).equals(r))
                    .ifPresent(order::add);
        }
        assertThat(order).as("runs of one repository's requests in the access log").hasSize(3)
                .containsExactlyInAnyOrderElementsOf(repos);
    }

    @Test
    void aFailedPrefetchIsShownAndReportedAndTheNextBootPullsAgain() throws Exception {
        startServer(2);
        machine(MACS.get(0), "later");
        server.holder.reload();

        JsonNode machine = waitFor(MACS.get(0), "failed");
        assertThat(machine.path("imagePull").asText()).startsWith("failed: ").contains(reg + "/test/later");
        JsonNode event = machine.path("lastBoot").get(machine.path("lastBoot").size() - 1);
        assertThat(event.path("stage").asText()).isEqualTo("failed");
        assertThat(event.path("detail").asText()).startsWith("prefetch of image " + reg + "/test/later:1 for linux/amd64 (")
                .endsWith("; the machine's next boot pulls it again");

        TestImages.standard().push("latest", reg + "/test/later:1");
        HttpResponse<byte[]> kernel = get("/boot/" + MACS.get(0) + "/kernel");
        assertThat(kernel.statusCode()).isEqualTo(200);
        assertThat(Digest.of(kernel.body())).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
        assertThat(waitFor(MACS.get(0), "done").path("imagePull").asText()).isEqualTo("done");
    }

    @Test
    void aBootDuringThePrefetchJoinsItsPull() throws Exception {
        try (RegistryGate gate = new RegistryGate(GATE_PORT, REGISTRY_PORT)) {
            startServer(2);
            machine(MACS.get(0), "joined", "127.0.0.1:" + GATE_PORT);
            server.holder.reload();
            assertThat(waitFor(MACS.get(0), "pulling").path("imagePull").asText()).isEqualTo("pulling");

            CompletableFuture<HttpResponse<byte[]>> kernel = http.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + HTTP_PORT + "/boot/" + MACS.get(0) + "/kernel")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            String metrics = "";
            for (int i = 0; i < 500 && !metrics.contains("bootferry_http_waiting 1.0"); i++) {
                Thread.sleep(10);
                metrics = new String(get("/metrics").body());
            }
            assertThat(metrics).as("the boot waits for the prefetch's pull").contains("bootferry_http_waiting 1.0");
            gate.open();

            assertThat(Digest.of(kernel.get(60, TimeUnit.SECONDS).body())).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
            assertThat(waitUntilDone(MACS.get(0))).isEqualTo("done");
            assertThat(registry.requests("GET /v2/test/joined/manifests/1 ")).as("one pull").isEqualTo(1);
            assertThat(new String(get("/metrics").body())).contains("bootferry_image_resolves_total{result=\"pulled\"} 1.0");
        }
    }

    @Test
    void anImageWithPullPolicyNeverIsNotPrefetched() throws Exception {
        startServer(2);
        config.file("machines/" + MACS.get(0) + ".yaml", "access: open", "kernelBoot:", "  container:",
                "    image: " + reg + "/test/never:1", "    imagePullPolicy: Never");
        server.holder.reload(); // queues what it prefetches before it returns

        JsonNode machine = JSON.readTree(get("/api/machines/" + MACS.get(0)).body());
        assertThat(machine.path("kernel").path("from").asText()).startsWith("image " + reg + "/test/never:1");
        assertThat(machine.has("imagePull") && !machine.get("imagePull").isNull()).as(machine.toString()).isFalse();
        assertThat(registryGets("never")).isZero();
    }
}
