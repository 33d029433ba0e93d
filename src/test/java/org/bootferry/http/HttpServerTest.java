package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootEvents;
import org.bootferry.journal.BootState;
import org.bootferry.journal.DiscoveredMachines;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.UnidentifiedClients;
import org.bootferry.server.Transport;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Ports;
import org.bootferry.testing.Processes;
import org.bootferry.testing.RawHttp;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP endpoints, fetched with curl. */
class HttpServerTest {

    @TempDir
    static Path tmp;
    static Path kernel;
    static Path loaders;
    static Path loaderBytes;
    static Transport transport;
    static ExecutorService blocking;
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static final AtomicInteger held = new AtomicInteger();
    static Channel channel;
    static String base;
    static LoaderFetches fetches;
    static DiscoveredMachines discovered;
    static HttpServices services;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("curl", "curl");
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        kernel = config.blob("boot/vmlinuz", 3 * 1024 * 1024 + 17);
        config.blob("boot/initrd.img", 4096);
        int port = Ports.freeTcp();
        // URLs in answers carry the configured port, so the test configures the one it binds.
        config.file("server.yaml", "advertise: 10.9.9.9", "httpPort: " + port);
        config.file("templates/ks.cfg", "network --hostname={{hostname}}", "url --url={{serverUrl}}/repo");
        // access: open: this class is about HTTP itself (Range, HEAD, drain); capability URLs are CapabilityUrlsTest's.
        config.file("machines/52-54-00-12-34-56.yaml",
                "hostname: node-01",
                "access: open",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}",
                "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}}",
                "kickstart: ks.cfg");
        config.file("machines/52-54-00-12-34-57.yaml", "access: open", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        loaders = Files.createDirectories(tmp.resolve("tftproot"));
        loaderBytes = new ConfigDir(loaders).blob("snp.efi", 70_000);
        Files.createSymbolicLink(loaders.resolve("escape.efi"), kernel);
        transport = Transport.create(1);
        // The server's blocking pool, with a gate a test may close to hold what is handed to it.
        blocking = GatedPool.of(() -> gate, held);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BootState state = new BootState(tmp.resolve("state"));
        fetches = LoaderFetches.onThisHost();
        BootEvents events = new BootEvents(registry, Optional.empty(), 100);
        discovered = new DiscoveredMachines(tmp.resolve("state"), 16, registry);
        services = new HttpServices(new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withInstalls(state)),
                events, events, state, discovered, UnidentifiedClients.NONE, fetches, LoaderFiles.withDebianIpxe(loaders), () -> snapshot, registry,
                registry::scrape, blocking, Optional::empty, () -> Addressing.NONE);
        channel = new HttpServer(services)
                .bind(transport.group(), transport.group(), transport.serverChannel(), new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        base = "http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @AfterAll
    static void stop() {
        channel.close().syncUninterruptibly();
        blocking.shutdownNow();
        transport.close();
        discovered.close();
    }

    private static Processes.Result curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS"));
        command.addAll(Arrays.asList(args));
        return Processes.run(command, 30);
    }

    @Test
    void ipxeScriptPointsBackAtTheAddressTheClientUsed() {
        Processes.Result r = curl("-f", base + "/boot.ipxe?mac=52-54-00-12-34-56");
        String port = base.substring(base.lastIndexOf(':') + 1);
        assertThat(r.text()).isEqualTo("#!ipxe\n"
                + "# bootferry: node-01 (52:54:00:12:34:56)\n"
                + "kernel http://127.0.0.1:" + port + "/boot/52-54-00-12-34-56/kernel initrd=initrd console=ttyS0 "
                + "inst.ks=http://127.0.0.1:" + port + "/ks/52-54-00-12-34-56\n"
                + "initrd --name initrd http://127.0.0.1:" + port + "/boot/52-54-00-12-34-56/initrd\n"
                + "boot\n");
    }

    /**
     * {@code POST /done} makes the install durable (file and directory fsync): off the event loop, the
     * only one here as in the server it also serves ProxyDHCP and TFTP, which serves others while the
     * disk takes its time (a boot storm's dones stalled its 4011 answers past EDK2's retries).
     */
    @Test
    void doneIsRecordedOffTheEventLoopWhichServesOthersMeanwhile() throws Exception {
        gate = new CountDownLatch(1);
        CompletableFuture<Processes.Result> done;
        try {
            done = CompletableFuture.supplyAsync(() -> curl("-X", "POST", base + "/done/52-54-00-12-34-57"));
            for (int i = 0; i < 250 && held.get() == 0; i++) {
                Thread.sleep(20);
            }
            assertThat(held.get()).as("the state write waiting in the blocking pool").isEqualTo(1);
            assertThat(curl("-f", "-m", "5", base + "/boot.ipxe?mac=52-54-00-12-34-56").text()).startsWith("#!ipxe\n");
            assertThat(done).as("the done answered before its write").isNotDone();
        } finally {
            gate.countDown();
        }
        assertThat(done.get(10, TimeUnit.SECONDS).text()).isEqualTo("recorded: 52:54:00:12:34:57 installed\n");
    }

    @Test
    void kernelIsServedWholeWithItsDigestAsEtag() throws Exception {
        Processes.Result r = curl("-f", "-D", tmp.resolve("headers").toString(), base + "/boot/52:54:00:12:34:56/kernel");
        byte[] expected = Files.readAllBytes(kernel);
        assertThat(r.stdout()).isEqualTo(expected);
        String headers = Files.readString(tmp.resolve("headers")).toLowerCase();
        assertThat(headers).contains("content-length: " + expected.length)
                .contains("etag: \"sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected)) + "\"")
                .contains("accept-ranges: bytes");
    }

    /**
     * A kernel larger than the client's receive buffer goes out in many sendfiles, at most two per
     * connection per turn of the loop (the only one here): a client that stops reading in the middle
     * holds neither the loop, which answers another meanwhile, nor its own bytes, which arrive whole
     * once it reads on.
     */
    @Test
    void aKernelWhoseReaderPausesArrivesWholeWhileTheLoopAnswersOthers() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(channel.localAddress());
            socket.setSoTimeout(10_000);
            RawHttp.send(socket, RawHttp.get("/boot/52-54-00-12-34-56/kernel"));
            InputStream in = socket.getInputStream();
            int first = in.read();
            assertThat(curl("-f", "-m", "5", base + "/boot.ipxe?mac=52-54-00-12-34-56").text()).startsWith("#!ipxe\n");
            RawHttp.Answer answer = RawHttp.read(new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), in),
                    false);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo(Files.readAllBytes(kernel));
        }
    }

    /**
     * A file's body leaves corked (TCP_CORK: full segments only), and the cork is taken out once the
     * body is written: neither the answer's last short segment nor the next answers on the connection
     * are held back. Left corked, each would wait out the kernel's 200 ms ceiling (tcp(7)), these 20
     * round trips at least 4 s; uncorked they take milliseconds.
     */
    @Test
    void aFileLeavesItsConnectionUncorkedForItsLastBytesAndTheNextAnswers() throws Exception {
        byte[] initrd = Files.readAllBytes(tmp.resolve("config/boot/initrd.img"));
        try (Socket socket = new Socket()) {
            socket.connect(channel.localAddress());
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                RawHttp.send(socket, RawHttp.get("/boot/52-54-00-12-34-56/initrd"));
                RawHttp.Answer file = RawHttp.read(in, false);
                assertThat(file.status()).isEqualTo(200);
                assertThat(file.body()).isEqualTo(initrd);
                RawHttp.send(socket, RawHttp.get("/boot.ipxe?mac=52-54-00-12-34-56"));
                assertThat(new String(RawHttp.read(in, false).body(), StandardCharsets.UTF_8)).startsWith("#!ipxe\n");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void rangeRequestsGetExactlyTheirBytes() throws Exception {
        byte[] all = Files.readAllBytes(kernel);
        assertThat(curl("-f", "-r", "1000-1999", base + "/boot/52-54-00-12-34-56/kernel").stdout())
                .isEqualTo(Arrays.copyOfRange(all, 1000, 2000));
        assertThat(curl("-f", "-r", "-100", base + "/boot/52-54-00-12-34-56/kernel").stdout())
                .isEqualTo(Arrays.copyOfRange(all, all.length - 100, all.length));
        assertThat(curl("-f", "-r", "3145000-", base + "/boot/52-54-00-12-34-56/kernel").stdout())
                .isEqualTo(Arrays.copyOfRange(all, 3145000, all.length));
        assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "-r", "99999999-", base + "/boot/52-54-00-12-34-56/kernel").text())
                .isEqualTo("416");
    }

    @Test
    void headGivesLengthWithoutBody() {
        Processes.Result r = curl("-f", "-I", base + "/boot/52-54-00-12-34-56/initrd");
        assertThat(r.text().toLowerCase()).startsWith("http/1.1 200").contains("content-length: 4096");
    }

    @Test
    void kickstartIsRenderedForTheMachine() {
        String port = base.substring(base.lastIndexOf(':') + 1);
        assertThat(curl("-f", base + "/ks/52-54-00-12-34-56").text())
                .isEqualTo("network --hostname=node-01\nurl --url=http://127.0.0.1:" + port + "/repo\n");
    }

    @Test
    void unknownMachinesAndMissingPartsGet404WithOneLineReason() {
        assertThat(curl("-w", " %{http_code}", base + "/boot.ipxe?mac=52:54:00:00:00:01").text())
                .isEqualTo("unknown machine 52:54:00:00:00:01: no machines/52-54-00-00-00-01.yaml and no machines/default.yaml\n 404");
        assertThat(curl("-w", " %{http_code}", base + "/ks/52-54-00-12-34-57").text())
                .isEqualTo("machine 52:54:00:12:34:57 has no kickstart (set 'kickstart:' in its machine file)\n 404");
        assertThat(curl("-w", " %{http_code}", base + "/boot/52-54-00-12-34-57/initrd").text())
                .isEqualTo("machine 52:54:00:12:34:57 has 0 initrd(s); there is no initrd 0\n 404");
    }

    @Test
    void badMacIs400() {
        assertThat(curl("-w", " %{http_code}", base + "/boot.ipxe?mac=nope").text()).endsWith(" 400")
                .contains("not a MAC address: 'nope'");
        assertThat(curl("-w", " %{http_code}", base + "/boot.ipxe").text()).endsWith(" 400");
    }

    @Test
    void aLoaderFetchedWithItsMacInTheUrlIsRecordedForThePlanner() {
        MacAddress mac = MacAddress.parse("52:54:00:12:34:57");
        assertThat(curl("-f", "-o", "/dev/null", "-w", "%{http_code}", base + "/tftp/snp.efi?mac=" + mac).text())
                .isEqualTo("200");
        assertThat(fetches.fetchedRecently(mac, "snp.efi")).isTrue();
        assertThat(fetches.fetchedRecently(mac, "ipxe.efi")).isFalse();
    }

    /** pxelinux loaded from /boot/M/tftp/d-i/pxelinux.0 asks for its files beside itself, under the same path. */
    @Test
    void whatALoaderFetchesBesideItselfIsServedAndRecordedByTheMacInItsPath() throws Exception {
        MacAddress mac = MacAddress.parse("52:54:00:12:34:57");
        Path ldlinux = new ConfigDir(loaders).blob("d-i/ldlinux.c32", 1000);
        Files.writeString(Files.createDirectories(loaders.resolve("d-i/pxelinux.cfg")).resolve("default"), "DEFAULT menu\n");
        String machine = base + "/boot/" + mac.dashed() + "/tftp/d-i/";
        assertThat(curl("-f", machine + "ldlinux.c32").stdout()).isEqualTo(Files.readAllBytes(ldlinux));
        assertThat(fetches.fetchedRecently(mac, "d-i/ldlinux.c32")).isTrue();
        assertThat(curl("-f", machine + "pxelinux.cfg/default").text()).isEqualTo("DEFAULT menu\n");
        assertThat(curl("-w", " %{http_code}", base + "/boot/" + mac.dashed() + "/tftp/d-i/pxelinux.cfg/01-52-54-00-12-34-56")
                .text()).as("another machine's config").endsWith(" 400");
    }

    @Test
    void pxelinuxGetsItsConfigRenderedWithUrlsAtTheAddressItAskedInAnyDirectory() {
        String config = curl("-f", base + "/boot/52-54-00-12-34-56/tftp/d-i/pxelinux.cfg/01-52-54-00-12-34-56").text();
        assertThat(config).contains("KERNEL " + base + "/boot/52-54-00-12-34-56/kernel\n")
                .contains("APPEND initrd=" + base + "/boot/52-54-00-12-34-56/initrd console=ttyS0");
        assertThat(curl("-f", base + "/tftp/grub/grub.cfg-01-52-54-00-12-34-56").text())
                .contains("linux '/boot/52-54-00-12-34-56/kernel' 'console=ttyS0'");
        assertThat(curl("-w", " %{http_code}", base + "/tftp/pxelinux.cfg/01-52-54-00-aa-bb-cc").text())
                .as("an unknown machine's: the tftproot has none").endsWith(" 404");
    }

    @Test
    void healthz() {
        assertThat(curl("-f", base + "/healthz").text()).isEqualTo("ok\n");
    }

    @Test
    void loadersAreServedForUefiHttpBootAsEfiImages() throws Exception {
        Processes.Result r = curl("-f", "-D", tmp.resolve("loader-headers").toString(), base + "/tftp/snp.efi");
        assertThat(r.stdout()).isEqualTo(Files.readAllBytes(loaderBytes));
        assertThat(Files.readString(tmp.resolve("loader-headers")).toLowerCase()).contains("content-type: application/efi");
        assertThat(curl("-I", "-f", base + "/tftp/ipxe.efi").text().toLowerCase())
                .as("Debian's ipxe.efi, a link to /boot/ipxe.efi, found after the tftproot").contains("200 ok");
    }

    @Test
    void loaderNamesCannotLeaveTheRoot() {
        assertThat(curl("-w", " %{http_code}", "--path-as-is", base + "/tftp/../config/server.yaml").text())
                .endsWith(" 403").contains("contains '..'");
        assertThat(curl("-w", " %{http_code}", base + "/tftp/%2e%2e/config/server.yaml").text()).endsWith(" 403");
        assertThat(curl("-w", " %{http_code}", base + "/tftp/escape.efi").text()).endsWith(" 403")
                .contains("symbolic link leading out of");
        assertThat(curl("-w", " %{http_code}", base + "/tftp/nope.efi").text()).endsWith(" 404");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405CountedAsOther() {
        assertThat(curl("-w", " %{http_code}", base + "/nope").text()).isEqualTo("no such endpoint: /nope\n 404");
        assertThat(curl("-w", " %{http_code}", "-X", "PUT", base + "/healthz").text())
                .isEqualTo("PUT is not supported on /healthz\n 405");
        assertThat(curl("-w", " %{http_code}", "-X", "POST", base + "/boot.ipxe?mac=52-54-00-12-34-56").text())
                .isEqualTo("POST is not supported on /boot.ipxe\n 405");
        assertThat(curl(base + "/metrics").text())
                .contains("bootferry_http_requests_total{route=\"other\",status=\"404\"}")
                .contains("bootferry_http_requests_total{route=\"healthz\",status=\"405\"}")
                .contains("bootferry_http_requests_total{route=\"script\",status=\"405\"}");
    }

    /** Every request's duration lands in its route's buckets; a file's once its last byte went out. */
    @Test
    void requestDurationsAreHistogramsByRoute() throws Exception {
        curl("-f", "-o", "/dev/null", base + "/boot/52:54:00:12:34:56/kernel");
        curl("-f", base + "/healthz");
        String metrics = curl(base + "/metrics").text();
        // A file is counted when its write completes, which curl may see a moment before the server does.
        for (int i = 0; i < 100 && !metrics.contains("bootferry_http_request_duration_seconds_count{route=\"kernel\"}"); i++) {
            Thread.sleep(20);
            metrics = curl(base + "/metrics").text();
        }
        assertThat(metrics)
                .contains("# TYPE bootferry_http_request_duration_seconds histogram")
                .contains("bootferry_http_request_duration_seconds_bucket{route=\"kernel\",le=\"0.005\"}")
                .contains("bootferry_http_request_duration_seconds_bucket{route=\"kernel\",le=\"300.0\"}")
                .contains("bootferry_http_request_duration_seconds_bucket{route=\"kernel\",le=\"+Inf\"}")
                .contains("bootferry_http_request_duration_seconds_count{route=\"kernel\"}")
                .contains("bootferry_http_request_duration_seconds_bucket{route=\"healthz\",le=\"+Inf\"}");
    }

    /** A machine's install is timed from its first DHCP offer to its POST /done, in the boot histogram. */
    @Test
    void anInstallIsTimedFromItsFirstOfferToDone() {
        MacAddress mac = MacAddress.parse("52:54:00:12:34:57");
        services.log().record(new BootEvent(Instant.now().minusSeconds(90), mac, BootEvent.Stage.DHCP_OFFER, "rom", 0, 0));
        services.log().record(new BootEvent(Instant.now().minusSeconds(80), mac, BootEvent.Stage.DHCP_OFFER, "ipxe", 0, 0));
        assertThat(curl("-f", "-X", "POST", base + "/done/52-54-00-12-34-57").text()).startsWith("recorded:");
        assertThat(curl(base + "/metrics").text())
                .contains("# TYPE bootferry_boot_duration_seconds histogram")
                .contains("bootferry_boot_duration_seconds_bucket{le=\"60.0\"} 0")
                .contains("bootferry_boot_duration_seconds_bucket{le=\"120.0\"} 1")
                .contains("bootferry_boot_duration_seconds_bucket{le=\"7200.0\"} 1")
                .contains("bootferry_boot_duration_seconds_count 1");
    }

    /** A server closing has shut its blocking pool: what would have run there is refused, not lost silently. */
    @Test
    void aStateChangeWhileShuttingDownIs503() throws Exception {
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        Channel closing = new HttpServer(new HttpServices(services.booter(), services.log(), services.history(),
                services.installs(), services.discoveries(), services.unidentified(), services.fetches(), services.loaders(), services.config(),
                services.registry(), services.metrics(), closed, services.notReady(), services.addressing()))
                .bind(transport.group(), transport.group(), transport.serverChannel(),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try {
            int port = ((InetSocketAddress) closing.localAddress()).getPort();
            assertThat(curl("-w", " %{http_code}", "-X", "POST", "http://127.0.0.1:" + port
                    + "/done/52-54-00-12-34-57").text()).isEqualTo("server is shutting down\n 503");
            assertThat(curl("-w", "%{http_code}", "-o", "/dev/null", "http://127.0.0.1:" + port
                    + "/boot/52-54-00-12-34-56/kernel").text()).isEqualTo("503");
        } finally {
            closing.close().syncUninterruptibly();
        }
    }
}
