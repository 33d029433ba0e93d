package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.bootferry.boot.Capabilities;
import org.bootferry.journal.CapabilityKey;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Curl;
import org.bootferry.testing.Ports;
import org.bootferry.testing.RawHttp;
import org.bootferry.testing.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's findings 1-9, each replayed with real sockets against one running server, as the attacker
 * on the boot network who found them: each test asserts the fixed behaviour. The per-finding tests
 * (SecretsNeverShownTest, CapabilityUrlsTest, AdminTest, ConfigHolderTest, HttpLimitsTest,
 * HttpPipeliningTest, QuietFloodTest) go deeper; this class shows that one server holds against all.
 * The last test deletes server.yaml, so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityFindingsTest {

    private static final String TOKEN = "0123456789abcdef0123";
    private static final String AUTH = "Authorization: Bearer " + TOKEN;
    private static final String NODE = "52-54-00-12-34-56";
    private static final String OTHER = "52-54-00-12-34-57";
    private static final String PULLING = "52-54-00-12-34-58";
    /** A MAC with letters, so that a second file can spell it in upper case. */
    private static final String LETTERS = "52-54-00-0a-00-01";
    private static final String PULL_PASSWORD = "PLANTED-PULL-PASSWORD";
    private static final String SHADOW = "PLANTED-SHADOW-LINE";

    @TempDir
    static Path tmp;
    private static ConfigDir config;
    private static ServerProcess server;
    private static String base;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 2 * 1024 * 1024);
        port = Ports.freeTcp();
        base = "http://127.0.0.1:" + port;
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "state: ../state", "cache: ../cache",
                "api: {token: " + TOKEN + "}", "http: {requestTimeout: 1, maxConnectionsPerClient: 16}");
        config.file("templates/ks.cfg", "network --hostname={{hostname}}");
        config.file("secrets/registry.json", "{\"auths\": {\"127.0.0.1:1\": {\"auth\": \"" + base64("robot:x") + "\"}}}");
        for (String mac : List.of(NODE, OTHER)) {
            config.file("machines/" + mac + ".yaml", "hostname: host-" + mac, "kernelBoot:",
                    "  files: {kernel: boot/vmlinuz}", "  kernelArgs: marker=" + mac, "kickstart: ks.cfg");
        }
        config.file("machines/" + LETTERS + ".yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: marker=original");
        config.file("machines/" + PULLING + ".yaml", "access: open", "kernelBoot:",
                "  container: {image: 127.0.0.1:1/boot/os:1, imagePullSecret: registry}");
        server = ServerProcess.start(List.of(), tmp.resolve("serve.log"), List.of("http", "tftp"),
                "--config", config.dir().toString(), "--bind", "127.0.0.1", "--no-dhcp", "--tftp-port", "0",
                "--tftp-root", config.dir().resolve("boot").toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Finding 1: a pull secret that is no JSON made the parse error quote it, to anyone. */
    @Test
    @Order(1)
    void aPullSecretThatIsNoJsonIsNeverQuoted() throws Exception {
        config.file("secrets/registry.json", "{\"auths\": {\"127.0.0.1:1\": {\"auth\": \""
                + base64("robot:" + PULL_PASSWORD) + "\" " + PULL_PASSWORD + "}}");
        String answer = eventually(() -> Curl.run(base + "/boot/" + PULLING + "/kernel"),
                a -> a.contains("registry.json"));
        String errors = Curl.run("-H", AUTH, base + "/api/config/errors");

        assertThat(answer).as("the 503 names the file, not what it holds").startsWith("HTTP/1.1 503");
        assertThat(List.of(errors, answer, Curl.run("-H", AUTH, base + "/api/events"), Curl.run("-H", AUTH, base + "/"),
                server.log())).noneMatch(text -> text.contains(PULL_PASSWORD) || text.contains(base64("robot:"
                        + PULL_PASSWORD)));
    }

    /** Finding 2: a machine file linked to a file outside config/ had its content echoed as unknown keys. */
    @Test
    @Order(2)
    void aLinkOutOfTheConfigTreeIsRefusedUnread() throws Exception {
        Path outside = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("shadow"),
                "root:" + SHADOW + ":20228:0:99999:7:::\n");
        Files.createSymbolicLink(config.dir().resolve("machines/52-54-00-12-34-59.yaml"), outside);

        String errors = eventually(() -> Curl.run("-H", AUTH, base + "/api/config/errors"),
                e -> e.contains("52-54-00-12-34-59.yaml"));

        assertThat(List.of(errors, Curl.run("-H", AUTH, base + "/"), server.log()))
                .noneMatch(text -> text.contains(SHADOW));
    }

    /** Finding 3: install files answered anyone; reset by a browser's form post or by anyone without a token. */
    @Test
    @Order(3)
    void installFilesNeedTheirMachinesCapabilityAndResetNeedsTheTokenAndNoBrowser() throws Exception {
        Capabilities capabilities = Capabilities.of(CapabilityKey.load(tmp.resolve("state")), Clock.systemUTC());
        String own = capabilities.issue(MacAddress.parse(NODE)).toString();
        String others = capabilities.issue(MacAddress.parse(OTHER)).toString();

        assertThat(Curl.run(base + "/ks/" + NODE + "/" + own)).startsWith("HTTP/1.1 200")
                .contains("network --hostname=host-" + NODE);
        assertThat(Curl.run(base + "/ks/" + NODE)).startsWith("HTTP/1.1 404");
        assertThat(Curl.run(base + "/ks/" + NODE + "/" + others)).startsWith("HTTP/1.1 404");
        assertThat(Curl.run(base + "/files/" + NODE + "/" + others + "/ks.cfg")).startsWith("HTTP/1.1 404");
        assertThat(Curl.run("-H", AUTH, base + "/api/machines/" + NODE)).doesNotContain("network --hostname");
        assertThat(Curl.run("-X", "POST", "-H", AUTH, "-H", "Origin: http://evil.example", "-H",
                "Content-Type: application/x-www-form-urlencoded", base + "/api/machines/" + NODE + "/reset"))
                .startsWith("HTTP/1.1 403");
        assertThat(Curl.run("-X", "POST", base + "/api/machines/" + NODE + "/reset")).startsWith("HTTP/1.1 401");
        assertThat(Curl.run("-X", "POST", base + "/done/" + NODE + "/" + own)).startsWith("HTTP/1.1 200");
    }

    /** Findings 4 and 5: one huge machine file stopped live reload; a second spelling of a MAC took a machine over. */
    @Test
    @Order(4)
    void aHugeFileOrASecondSpellingOfAMacNeitherStopsReloadNorTakesAMachineOver() throws Exception {
        Path huge = config.dir().resolve("machines/52-54-00-12-34-60.yaml");
        Files.writeString(huge, "hostname: " + "x".repeat(50 * 1024 * 1024));
        Path usurper = config.dir().resolve("machines/52-54-00-0A-00-01.yaml");
        config.file(config.dir().relativize(usurper).toString(), "kernelBoot:", "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: marker=usurper");
        config.file("machines/52-54-00-12-34-61.yaml", "hostname: after-the-huge-one", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");

        String errors = eventually(() -> Curl.run("-H", AUTH, base + "/api/config/errors"),
                e -> e.contains("52-54-00-12-34-60.yaml") && e.contains("52-54-00-0A-00-01.yaml"));
        String later = eventually(() -> Curl.run("-H", AUTH, base + "/api/machines/52:54:00:12:34:61"),
                m -> m.startsWith("HTTP/1.1 200"));

        assertThat(errors).contains(LETTERS + ".yaml");
        assertThat(later).contains("after-the-huge-one");
        assertThat(Curl.run("-H", AUTH, base + "/api/machines/" + LETTERS)).contains("marker=original")
                .doesNotContain("usurper");
        Files.delete(huge);
        Files.delete(usurper);
    }

    /** Finding 6: a client trickling bytes held a connection (and an fd) forever, and could open any number. */
    @Test
    @Order(5)
    void aTricklingClientIsAnswered408WithinTheRequestTimeoutAndItsConnectionsAreBounded() throws Exception {
        try (Socket socket = RawHttp.connect(port)) {
            long started = System.nanoTime();
            socket.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
            RawHttp.Answer answer = RawHttp.read(socket.getInputStream(), false);

            assertThat(answer.status()).isEqualTo(408);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(socket.getInputStream().read()).as("and closed").isEqualTo(-1);
        }

        // Until the connections other tests left are closed on the server's side: only the one asking.
        eventually(() -> Curl.run(base + "/metrics"), m -> m.contains("\nbootferry_http_connections 1.0\n"));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Socket socket = RawHttp.connect(port);
                held.add(socket);
                RawHttp.send(socket, RawHttp.get("/healthz"));
                assertThat(RawHttp.read(socket.getInputStream(), false).status()).as("connection " + i).isEqualTo(200);
            }
            try (Socket oneMore = RawHttp.connect(port)) {
                RawHttp.Answer refused = RawHttp.read(oneMore.getInputStream(), false);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.text()).startsWith("too many HTTP connections from 127.0.0.1");
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        // The server sees the closes on its loop: a moment later the client may connect again.
        eventually(() -> Curl.run(base + "/healthz"), a -> a.startsWith("HTTP/1.1 200"));
    }

    /** Finding 7: pipelined answers went out of order, a HEAD's next GET lost its body, Connection: close lost answers. */
    @Test
    @Order(6)
    void pipelinedRequestsAreAnsweredInOrderHeadAndCloseIncluded() throws Exception {
        String kernel = "/boot/" + PULLING + "/kernel";
        try (Socket socket = RawHttp.connect(port)) {
            RawHttp.send(socket, RawHttp.request("HEAD", "/healthz", "") + RawHttp.get("/healthz")
                    + RawHttp.get(kernel) + RawHttp.request("GET", "/readyz", "Connection: close\r\n"));
            InputStream in = socket.getInputStream();
            List<RawHttp.Answer> answers = List.of(RawHttp.read(in, true), RawHttp.read(in, false),
                    RawHttp.read(in, false), RawHttp.read(in, false));

            assertThat(answers).extracting(RawHttp.Answer::status).containsExactly(200, 200, 503, 200);
            assertThat(answers.get(1).text()).isEqualTo("ok\n");
            assertThat(answers.get(3).text()).isEqualTo("ready\n");
            assertThat(in.read()).as("closed after the last").isEqualTo(-1);
        }
    }

    /** Finding 8: 20,000 TFTP requests made 108,000 log lines with stack traces. */
    @Test
    @Order(7)
    void aFloodOfRefusedTftpRequestsLogsALineOrTwo() throws Exception {
        int before = server.log().split("\n").length;
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket client = new DatagramSocket(0, loopback)) {
            client.setSoTimeout(5_000);
            byte[] answer = new byte[516];
            for (int i = 0; i < 2000; i++) {
                byte[] rrq = ("\u0000\u0001missing-" + (i % 2) + "\u0000octet\u0000").getBytes(StandardCharsets.ISO_8859_1);
                client.send(new DatagramPacket(rrq, rrq.length, loopback, server.port("tftp")));
                client.receive(new DatagramPacket(answer, answer.length));
                assertThat(answer[1]).as("an ERROR for request " + i).isEqualTo((byte) 5);
            }
        }
        String[] lines = server.log().split("\n");
        List<String> added = List.of(lines).subList(before, lines.length);

        assertThat(added).filteredOn(l -> l.contains("missing-")).hasSizeLessThanOrEqualTo(2);
        assertThat(added).noneMatch(l -> l.startsWith("\tat "));
    }

    /** Finding 9: ?token= was taken and logged; deleting server.yaml turned authentication off. */
    @Test
    @Order(8)
    void theTokenIsRefusedInTheUrlNeverLoggedAndOutlivesServerYaml() throws Exception {
        assertThat(Curl.run(base + "/api/machines?token=" + TOKEN)).startsWith("HTTP/1.1 400");

        Files.delete(config.dir().resolve("server.yaml"));
        eventually(() -> Curl.run("-H", AUTH, base + "/api/config/errors"),
                e -> e.contains("'token' changed (set) -> (none): takes effect at the next restart"));

        assertThat(Curl.run(base + "/api/machines")).startsWith("HTTP/1.1 401");
        assertThat(Curl.run("-X", "POST", base + "/api/machines/" + NODE + "/reset")).startsWith("HTTP/1.1 401");
        assertThat(server.log()).contains("?token=(removed)").doesNotContain(TOKEN);
    }

    private static String eventually(Supplier<String> read, Predicate<String> until)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String text = read.get();
        while (!until.test(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            text = read.get();
        }
        assertThat(text).matches(until, "reached within 60 s");
        return text;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
