package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bootferry.testing.Commands.bootferry;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.image.Digest;
import org.bootferry.http.HttpLimits;
import org.bootferry.image.ImageResolver;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.LocalRegistry;
import org.bootferry.testing.Processes;
import org.bootferry.testing.RawHttp;
import org.bootferry.testing.RegistryGate;
import org.bootferry.testing.TestImages;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machines whose {@code kernelBoot.container} names an image in a real registry (Debian's
 * docker-registry on 127.0.0.1:17100), booted through the whole server and fetched with curl.
 */
class ImageBootTest {

    private static final int REGISTRY_PORT = 17100;
    private static final int GATE_PORT = 17101;
    /** URLs in answers carry the configured port, so the server is given a fixed one. */
    private static final int HTTP_PORT = 17110;
    private static final int TFTP_PORT = 17111;
    private static final String MAC = "52-54-00-bf-00-01";

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static LocalRegistry registry;
    private static String reg;
    private ConfigDir config;
    private InProcessServer server;
    private String base;
    /** images.pullTimeout in seconds: short, so that a test of a slow pull sees it end. */
    private int pullTimeout = 1;

    @BeforeAll
    static void registryWithImages() throws Exception {
        Tools.require("curl", "curl");
        TestImages images = TestImages.standard();
        registry = LocalRegistry.start(shared.resolve("registry"), REGISTRY_PORT, "");
        reg = registry.address();
        // One repository per scenario, so that each one's registry access log lines are its own.
        for (String repo : List.of("kernel", "quiet", "never", "pulled", "gated", "waited")) {
            images.push("latest", reg + "/test/" + repo + ":1");
        }
        images.push("multi", reg + "/test/multi:1", "--all");
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

    /** A config dir whose one machine boots {@code image}; {@code extra} lines go under kernelBoot.container. */
    private ConfigDir machine(String image, String... extra) {
        config = new ConfigDir(tmp.resolve("config"));
        config.loopbackServer(tmp, HTTP_PORT, TFTP_PORT, "images:", "  pullTimeout: " + pullTimeout);
        List<String> lines = new ArrayList<>(List.of("hostname: imgboot-01", "access: open", "kernelBoot:", "  container:",
                "    image: " + image));
        Arrays.stream(extra).map(l -> "    " + l).forEach(lines::add);
        config.file("machines/" + MAC + ".yaml", lines.toArray(String[]::new));
        return config;
    }

    private void startServer() throws IOException {
        server = InProcessServer.start(config.dir());
        base = server.http();
    }

    private static Processes.Result curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS"));
        command.addAll(Arrays.asList(args));
        return Processes.run(command, 60);
    }

    /** GET's body, status and ETag. */
    private record Got(int status, byte[] body, String etag) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Got get(String pathOrUrl) throws IOException {
        Path headers = tmp.resolve("headers");
        Path body = tmp.resolve("body");
        Processes.Result r = curl("-o", body.toString(), "-D", headers.toString(), "-w", "%{http_code}",
                pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
        String etag = Files.readAllLines(headers).stream().filter(h -> h.toLowerCase().startsWith("etag:"))
                .map(h -> h.substring(5).trim()).findFirst().orElse(null);
        return new Got(Integer.parseInt(r.text()), Files.readAllBytes(body), etag);
    }

    private static void assertServes(Got got, byte[] expected) {
        assertThat(got.status()).isEqualTo(200);
        assertThat(Digest.of(got.body())).isEqualTo(Digest.of(expected));
        assertThat(got.etag()).isEqualTo("\"" + Digest.of(expected) + "\"");
    }

    @Test
    void containerMachineGetsKernelAndInitrdOutOfTheImageWithTheirDigestsAsEtags() throws Exception {
        machine(reg + "/test/kernel:1", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img");
        startServer();
        String script = get("/boot.ipxe?mac=" + MAC).text();
        assertThat(script).contains("/boot/" + MAC + "/kernel initrd=initrd")
                .contains("initrd --name initrd " + base + "/boot/" + MAC + "/initrd\n");
        assertServes(get("/boot/" + MAC + "/kernel"), TestImages.KERNEL_AMD64);
        assertServes(get("/boot/" + MAC + "/initrd"), TestImages.INITRD);
        assertThat(curl("-f", "-r", "0-99", base + "/boot/" + MAC + "/kernel").stdout())
                .isEqualTo(Arrays.copyOfRange(TestImages.KERNEL_AMD64, 0, 100));
        assertThat(curl("-f", base + "/metrics").text())
                .contains("bootferry_image_resolves_total{result=\"pulled\"} 1.0")
                .containsPattern("bootferry_image_resolves_total\\{result=\"cache\"} [1-9]")
                .contains("bootferry_image_pull_duration_seconds_count{result=\"pulled\"} 1")
                .contains("bootferry_image_pull_duration_seconds_bucket{result=\"pulled\",le=\"1800.0\"} 1")
                .contains("bootferry_image_pull_duration_seconds_bucket{result=\"cache\",le=\"0.1\"}");
    }

    @Test
    void arm64MachineGetsTheArm64KernelOutOfAMultiArchIndex() throws Exception {
        machine(reg + "/test/multi:1", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img");
        startServer();
        // iPXE asks with the firmware DHCP saw (option 93); every URL in its script carries it on.
        String script = get("/boot.ipxe?mac=" + MAC + "&firmware=efi-arm64").text();
        String kernelUrl = script.lines().filter(l -> l.startsWith("kernel ")).findFirst().orElseThrow().split(" ")[1];
        assertThat(kernelUrl).endsWith("/boot/" + MAC + "/kernel?firmware=efi-arm64");
        assertServes(get(kernelUrl), TestImages.KERNEL_ARM64);
        assertServes(get("/boot/" + MAC + "/initrd?firmware=efi-arm64"), TestImages.INITRD);
        assertServes(get("/boot/" + MAC + "/kernel"), TestImages.KERNEL_AMD64);
    }

    @Test
    void neverWithoutTheImageInTheCacheIs503SayingWhatToRun() throws Exception {
        machine(reg + "/test/never:1", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img",
                "imagePullPolicy: Never");
        startServer();
        Got refused = get("/boot/" + MAC + "/kernel");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.text()).isEqualTo("image " + reg + "/test/never:1 kernel /boot/vmlinuz for linux/amd64"
                + " unavailable: image " + reg + "/test/never:1 is not cached (its tag was never resolved for"
                + " linux/amd64 here) and imagePullPolicy is Never: run 'bootferry pull " + reg + "/test/never:1'"
                + " or use IfNotPresent\n");
        assertThat(registry.requests("GET /v2/test/never/")).isZero();
    }

    @Test
    void pullIntoTheCacheOfARunningServerLetsNeverMachinesBoot() throws Exception {
        machine(reg + "/test/pulled:1", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img",
                "imagePullPolicy: Never");
        startServer();
        assertThat(get("/boot/" + MAC + "/kernel").status()).isEqualTo(503);

        Commands.Run pull = bootferry("pull", reg + "/test/pulled:1", "--config", config.dir().toString(),
                "--kernel-path", "/boot/vmlinuz", "--initrd-path", "/boot/initrd.img");
        assertThat(pull.exit()).as(pull.err()).isZero();
        assertThat(pull.err()).contains("layer 2/2").contains("layer 1/2").contains("done");
        assertThat(pull.out()).contains(reg + "/test/pulled:1 (linux/amd64) -> sha256:")
                .contains("kernel    /boot/vmlinuz -> /boot/vmlinuz-6.1.0  1.4 MiB  " + Digest.of(TestImages.KERNEL_AMD64))
                .contains("initrd    /boot/initrd.img -> /boot/initrd.img-6.1.0");

        assertServes(get("/boot/" + MAC + "/kernel"), TestImages.KERNEL_AMD64);
        assertServes(get("/boot/" + MAC + "/initrd"), TestImages.INITRD);
    }

    @Test
    void pullOfAMissingImageExitsOneWithTheRegistrysAnswer() throws Exception {
        machine(reg + "/test/kernel:1");
        Commands.Run pull = bootferry("pull", reg + "/test/absent:1", "--config", config.dir().toString());
        assertThat(pull.exit()).isEqualTo(1);
        assertThat(pull.err()).contains("bootferry: ").contains("test/absent:1");
    }

    @Test
    void planningAndExplainingNeverContactTheRegistry() throws Exception {
        machine(reg + "/test/quiet:1"); // paths by convention, kernelArgs from the image's label
        MacAddress mac = MacAddress.parse(MAC);
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        try (ImageResolver resolver = ImageSupport.resolver(snapshot.settings())) {
            BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withImages(resolver, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
            for (Firmware firmware : Firmware.values()) { // what DHCP does on every DISCOVER
                planner.plan(new Machine(mac, firmware, true, Optional.empty())).orElseThrow();
            }
            assertThat(planner.explain(mac).orElseThrow().kernel().orElseThrow().from())
                    .isEqualTo("image " + reg + "/test/quiet:1 kernel (by label or convention) for linux/amd64");
            assertThat(planner.plan(Machine.of(mac, Firmware.BIOS)).orElseThrow().cmdline()).isEmpty();
            Commands.Run explain = bootferry("explain", MAC, "--config", config.dir().toString());
            assertThat(explain.exit()).as(explain.err()).isZero();
            assertThat(registry.requests("GET /v2/test/quiet/") + registry.requests("HEAD /v2/test/quiet/")).isZero();

            startServer();
            assertServes(get("/boot/" + MAC + "/kernel"), TestImages.KERNEL_AMD64);
            long afterBoot = registry.requests("GET /v2/test/quiet/") + registry.requests("HEAD /v2/test/quiet/");
            assertThat(afterBoot).isPositive();

            // Cached now (by the server; the planner's resolver sees the same directory): the image's label
            // gives the command line, still without a word to the registry.
            assertThat(planner.plan(Machine.of(mac, Firmware.BIOS)).orElseThrow().cmdline()).isEqualTo("console=ttyS0 quiet");
            // The machine names no kickstart: the one the image carries is rendered for it.
            assertThat(get("/ks/" + MAC).text()).isEqualTo("network --hostname=imgboot-01\nurl --url=" + base + "/repo\n");
            explain = bootferry("explain", MAC, "--config", config.dir().toString());
            assertThat(explain.out()).contains("cmdline   console=ttyS0 quiet");
            assertThat(registry.requests("GET /v2/test/quiet/") + registry.requests("HEAD /v2/test/quiet/"))
                    .isEqualTo(afterBoot);
        }
    }

    @Test
    void slowPullAnswers503NamingTheTimeoutAndTheSamePullServesTheNextBoot() throws Exception {
        try (RegistryGate gate = new RegistryGate(GATE_PORT, REGISTRY_PORT)) {
            String image = "127.0.0.1:" + GATE_PORT + "/test/gated:1";
            machine(image, "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img");
            startServer();
            Got waited = get("/boot/" + MAC + "/kernel");
            assertThat(waited.status()).isEqualTo(503);
            assertThat(waited.text()).endsWith("unavailable: pull of " + image + " did not finish within 1 s"
                    + " (server.yaml images.pullTimeout); it goes on, so a later boot will find it\n");
            gate.open();
            Got next = get("/boot/" + MAC + "/kernel");
            for (int i = 0; i < 50 && next.status() != 200; i++) {
                Thread.sleep(200);
                next = get("/boot/" + MAC + "/kernel");
            }
            assertServes(next, TestImages.KERNEL_AMD64);
            assertThat(registry.requests("GET /v2/test/gated/manifests/1 ")).isEqualTo(1);
        }
    }

    @Test
    void requestsWaitingForAPullHoldNoThreadAndPastTheLimitAreAnswered503() throws Exception {
        try (RegistryGate gate = new RegistryGate(GATE_PORT, REGISTRY_PORT)) {
            pullTimeout = 60;
            machine("127.0.0.1:" + GATE_PORT + "/test/waited:1", "kernelPath: /boot/vmlinuz",
                    "initrdPath: /boot/initrd.img");
            startServer();
            int limit = HttpLimits.DEFAULTS.waitingPerClient();
            List<Socket> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < limit; i++) {
                    waiting.add(RawHttp.connect(HTTP_PORT));
                    RawHttp.send(waiting.get(i), RawHttp.get("/boot/" + MAC + "/kernel"));
                }
                for (int i = 0; i < 500 && !metrics().contains("bootferry_http_waiting " + limit + ".0"); i++) {
                    Thread.sleep(10);
                }
                assertThat(metrics()).contains("bootferry_http_waiting " + limit + ".0");
                assertThat(Thread.getAllStackTraces().values()).as("threads waiting in a boot file's pull")
                        .noneMatch(stack -> Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith(
                                "org.bootferry.boot.Image")));
                try (Socket extra = RawHttp.connect(HTTP_PORT)) {
                    RawHttp.send(extra, RawHttp.get("/boot/" + MAC + "/kernel"));
                    RawHttp.Answer refused = RawHttp.read(extra.getInputStream(), false);
                    assertThat(refused.status()).isEqualTo(503);
                    assertThat(refused.text()).isEqualTo("too many requests from 127.0.0.1 waiting for an image pull:"
                            + " the server holds " + limit + " at once from one client\n");
                }
                gate.open();
                for (Socket socket : waiting) {
                    RawHttp.Answer answer = RawHttp.read(socket.getInputStream(), false);
                    assertThat(answer.status()).isEqualTo(200);
                    assertThat(Digest.of(answer.body())).isEqualTo(Digest.of(TestImages.KERNEL_AMD64));
                }
            } finally {
                for (Socket socket : waiting) {
                    socket.close();
                }
            }
        }
    }

    private String metrics() throws IOException {
        return curl(base + "/metrics").text();
    }
}
