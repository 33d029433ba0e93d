package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.RestartKeys;
import org.bootferry.config.ServerSettings;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Every server.yaml key, edited under a running server: either what the server does next follows
 * the edit, or the edit is reported as waiting for a restart (in the snapshot's errors and at
 * {@code /api/config/errors}) while the running value stays in force. A key added to server.yaml
 * without a row here fails {@link #everyKeyHasARow()}: someone has to decide which it is.
 */
class LiveSettingsTest {

    private static final Duration SOON = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(SOON).build();
    private static final String MAC = "52-54-00-12-34-56";
    /** Blocks of 8 bytes: the file has more than 65535 of them, so block numbers roll over. */
    private static final int TINY_BLOCK = 8;
    private static final int ROLLOVER_FILE_SIZE = 65_537 * TINY_BLOCK;

    @TempDir
    Path tmp;
    private ConfigDir config;
    private Map<String, Object> yaml;
    private InProcessServer running;
    private ConfigHolder holder;
    private BootServer server;
    private ServerSettings started;
    private InetSocketAddress tftp;
    private String http;
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final Logger holderLog = (Logger) LoggerFactory.getLogger(ConfigHolder.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    /** One key's edit and what shows that it applied, or that it waits for a restart. */
    record Row(String key, Object value, boolean restart, Check check) {
        @Override
        public String toString() {
            return key + ": " + value;
        }
    }

    @FunctionalInterface
    interface Check {
        void verify(LiveSettingsTest test, Row row) throws Exception;
    }

    static Row restart(String key, Object value) {
        return new Row(key, value, true, LiveSettingsTest::waitsForARestart);
    }

    static Row live(String key, Object value, Check check) {
        return new Row(key, value, false, check);
    }

    static Stream<Row> rows() {
        return Stream.of(
                restart("bind", "127.0.0.2"),
                restart("advertise", "127.0.0.3"),
                restart("advertise6", "fd00::3"),
                restart("httpPort", 8081),
                restart("tftpPort", 6969),
                restart("dhcpPort", 6767),
                restart("pxePort", 4012),
                restart("dhcp", Map.of("mode", "proxy")),
                restart("dhcp6", Map.of("mode", "boot-only", "port", 10547)),
                restart("cache", "/var/tmp/bootferry-elsewhere/cache"),
                restart("state", "/var/tmp/bootferry-elsewhere/state"),
                restart("https", Map.of("port", 8443)),
                live("tftpRoot", "../root2", (t, r) -> t.servesTheNewRoot()),
                live("loaders", Map.of("bios", "other.kpxe"),
                        (t, r) -> assertThat(t.holder.get().settings().loaders()).containsEntry("bios", "other.kpxe")),
                live("api.token", "0123456789abcdef0123", (t, r) -> assertThat(t.post("/done/" + MAC))
                        .isEqualTo("401 a valid api token is required (Authorization: Bearer <token>)")),
                live("api.allowFrom", List.of("10.0.0.0/8"), (t, r) -> assertThat(t.post("/done/" + MAC))
                        .isEqualTo("403 127.0.0.1 is not in api.allowFrom")),
                live("access.lifetime", "90m", (t, r) -> assertThat(t.holder.get().settings().access().lifetime())
                        .isEqualTo(Duration.ofMinutes(90))),
                live("chainload.ipxe", "server", (t, r) -> assertThat(t.holder.get().settings().chainload())
                        .isEqualTo(new ServerSettings.Chainload(ServerSettings.Chainload.Ipxe.SERVER))),
                live("images.cacheLimit", "1", (t, r) -> t.cacheIsEvicted()),
                live("images.insecureRegistries", List.of("registry.lab:5000"), (t, r) -> assertThat(
                        t.server.images().settings().insecureRegistries()).containsExactly("registry.lab:5000")),
                live("images.staleOk", true, (t, r) -> assertThat(t.server.images().settings().staleOk()).isTrue()),
                live("images.pullTimeout", 7, (t, r) -> assertThat(t.holder.get().settings().images().pullTimeout())
                        .isEqualTo(Duration.ofSeconds(7))),
                live("images.prefetchPulls", 1, (t, r) -> assertThat(t.holder.get().settings().images().prefetchPulls())
                        .isEqualTo(1)),
                live("tftp.maxBlockSize", 1024, (t, r) -> assertThat(
                        t.optionAck(Map.of("blksize", "1468")).get("blksize")).isEqualTo("1024")),
                live("tftp.maxWindowSize", 4, (t, r) -> assertThat(
                        t.optionAck(Map.of("windowsize", "16")).get("windowsize")).isEqualTo("4")),
                live("tftp.timeoutMillis", 100, (t, r) -> t.anUnansweredTransferEndsWithin(Duration.ofMillis(2000))),
                live("tftp.maxRetries", 1, (t, r) -> t.theOptionAckIsSentAgain()),
                live("tftp.maxSessions", 1, (t, r) -> t.aSecondTransferIsRefused(
                        "server busy: 1 transfers in progress, the configured limit (tftp.maxSessions); retry later")),
                live("tftp.maxSessionsPerClient", 1, (t, r) -> t.aSecondTransferIsRefused("server busy: 127.0.0.1 has 1"
                        + " transfers in progress, the limit per client (tftp.maxSessionsPerClient); retry later")),
                live("http.maxConnectionsPerClient", 1, (t, r) -> t.aSecondConnectionIsRefused(
                        "too many HTTP connections from 127.0.0.1: the server takes 1 at once from one client")),
                live("http.maxConnections", 1, (t, r) -> t.aSecondConnectionIsRefused(
                        "too many HTTP connections: the server has all its 1 open")),
                live("http.maxPullWaitsPerClient", 3, (t, r) -> assertThat(
                        t.holder.get().settings().http().maxPullWaitsPerClient()).isEqualTo(3)),
                live("http.maxPullWaits", 3, (t, r) -> assertThat(t.holder.get().settings().http().maxPullWaits())
                        .isEqualTo(3)),
                live("http.idleTimeout", 1, (t, r) -> {
                    try (Socket socket = t.answeredConnection()) {
                        assertThat(socket.getInputStream().read()).as("closed when idle").isEqualTo(-1);
                    }
                }),
                live("http.requestTimeout", 1, (t, r) -> {
                    try (Socket socket = RawHttp.connect(t.httpPort())) {
                        socket.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
                        assertThat(RawHttp.read(socket.getInputStream(), false).status()).isEqualTo(408);
                    }
                }),
                live("tftp.rolloverTo", 1, (t, r) -> assertThat(t.blockAfter65535()).isEqualTo(1)),
                // The responder asks for both at every request (ProxyDhcpBoundsTest shows it following them).
                live("proxyDhcp.maxAnswersPerSecond", 7, (t, r) -> assertThat(
                        t.holder.get().settings().proxyDhcp().maxAnswersPerSecond()).isEqualTo(7)),
                live("proxyDhcp.relaySubnets", List.of("10.21.0.0/24"), (t, r) -> assertThat(
                        t.holder.get().settings().proxyDhcp().relaySubnets()).extracting(Object::toString)
                        .containsExactly("10.21.0.0/24")),
                live("events.maxFileSize", "4KiB", (t, r) -> t.theJournalIsRotatedPast(4096)),
                live("events.keepFiles", 2, (t, r) -> assertThat(t.holder.get().settings().events().keepFiles())
                        .isEqualTo(2)));
    }

    @BeforeEach
    void start() throws Exception {
        logged.start();
        holderLog.addAppender(logged);
        config = new ConfigDir(tmp.resolve("config"));
        Files.createDirectories(tmp.resolve("root1"));
        Files.createDirectories(tmp.resolve("root2"));
        Files.write(tmp.resolve("root1/a.bin"), new byte[3000]);
        Files.write(tmp.resolve("root1/big.bin"), new byte[ROLLOVER_FILE_SIZE]);
        Files.writeString(tmp.resolve("root2/b.bin"), "from root2");
        config.blob("boot/vmlinuz", 100);
        // access: open: the api: rows post to the static /done/M, which api: governs.
        config.file("machines/" + MAC + ".yaml", "hostname: node-01", "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        cachedBlob();
        yaml = new LinkedHashMap<>();
        yaml.put("bind", "127.0.0.1");
        yaml.put("advertise", "127.0.0.1");
        yaml.put("httpPort", 0);
        yaml.put("tftpPort", 0);
        yaml.put("dhcp", false);
        yaml.put("tftpRoot", tmp.resolve("root1").toString());
        yaml.put("cache", tmp.resolve("cache").toString());
        yaml.put("state", tmp.resolve("state").toString());
        // A long timeout without retries: a transfer left unanswered ends once, at a time no check waits for.
        yaml.put("tftp", new LinkedHashMap<>(Map.of("timeoutMillis", 3000, "maxRetries", 0)));
        writeServerYaml();
        running = InProcessServer.start(config.dir());
        holder = running.holder;
        server = running.server;
        started = holder.get().settings();
        http = running.http();
        tftp = running.address("tftp");
    }

    @AfterEach
    void stop() {
        holderLog.detachAppender(logged);
        sockets.forEach(DatagramSocket::close);
        if (running != null) {
            running.close();
        }
    }

    @Test
    void everyKeyHasARow() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (RecordComponent c : Class.forName("org.bootferry.config.ServerFile").getRecordComponents()) {
            // A section that is a restart key waits for a restart whole: one row decides it.
            if (c.getType().isRecord() && !RestartKeys.KEYS.contains(c.getName())) {
                for (RecordComponent sub : c.getType().getRecordComponents()) {
                    keys.add(c.getName() + "." + sub.getName());
                }
            } else {
                keys.add(c.getName());
            }
        }
        Set<String> decided = rows().map(Row::key).collect(Collectors.toCollection(TreeSet::new));
        assertThat(decided).as("server.yaml keys with a row").isEqualTo(keys);
        assertThat(rows().filter(Row::restart).map(Row::key).toList())
                .containsExactlyInAnyOrderElementsOf(RestartKeys.KEYS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void anEditAppliesOrIsReported(Row row) throws Exception {
        edit(row);
        ConfigHolder.Reload reload = holder.reload();
        if (!row.restart()) {
            assertThat(reload.errors()).as("errors after editing a live key").isEmpty();
        }
        row.check().verify(this, row);
    }

    // --- editing server.yaml

    @SuppressWarnings("unchecked")
    private void edit(Row row) throws IOException {
        Object value = row.value();
        String[] path = row.key().split("\\.");
        if (path.length == 1) {
            yaml.put(path[0], value);
        } else {
            ((Map<String, Object>) yaml.computeIfAbsent(path[0], k -> new LinkedHashMap<>())).put(path[1], value);
        }
        writeServerYaml();
    }

    private void writeServerYaml() throws IOException {
        Files.writeString(config.dir().resolve("server.yaml"), new YAMLMapper().writeValueAsString(yaml));
    }

    // --- restart keys

    private void waitsForARestart(Row row) throws Exception {
        String key = row.key();
        Object running = component(started, key);
        assertThat(component(holder.get().settings(), key)).as("running value of " + key).isEqualTo(running);
        Path file = config.dir().resolve("server.yaml");
        int line = Files.readAllLines(file).indexOf(Files.readAllLines(file).stream()
                .filter(l -> l.startsWith(key + ":")).findFirst().orElseThrow()) + 1;
        Object edited = component(ConfigLoader.load(config.dir()).settings(), key);
        String message = "'" + key + "' changed " + running + " -> " + edited + ": takes effect at the next restart";
        assertThat(holder.get().errors()).containsExactly(new ConfigError(file, line, message));
        JsonNode listed = new ObjectMapper().readTree(get("/api/config/errors").body());
        assertThat(listed).singleElement().satisfies(e -> {
            assertThat(e.get("message").asText()).isEqualTo(message);
            assertThat(e.get("line").asInt()).isEqualTo(line);
        });
        // Still pending at the next reload, and still the only notice, but logged once.
        assertThat(holder.reload().errors()).containsExactly(new ConfigError(file, line, message));
        // A warning about the value itself (advertise6 beside this test's IPv4 bind) is not the restart notice.
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(m -> !m.startsWith("warning: ")).containsExactly(file + ":" + line + ": " + message);
    }

    /** The settings component named as the key, as an admin writes it (an Optional unwrapped). */
    private static Object component(ServerSettings settings, String key) throws ReflectiveOperationException {
        for (RecordComponent c : ServerSettings.class.getRecordComponents()) {
            if (c.getName().equals(key)) {
                Object value = c.getAccessor().invoke(settings);
                return value instanceof Optional<?> o ? o.orElse(null) : value;
            }
        }
        throw new AssertionError("no setting " + key);
    }

    // --- tftpRoot

    private void servesTheNewRoot() throws Exception {
        DatagramSocket client = socket();
        client.send(rrq("b.bin", Map.of()));
        Packet data = receive(client, SOON);
        assertThat(data.opcode()).as(data.toString()).isEqualTo(3);
        assertThat(new String(data.body(), 4, data.body().length - 4, StandardCharsets.US_ASCII)).isEqualTo("from root2");
        client.send(rrq("a.bin", Map.of()));
        assertThat(receive(client, SOON).errorMessage()).isEqualTo("file 'a.bin' not found");
        HttpResponse<String> loader = get("/tftp/b.bin");
        assertThat(loader.statusCode()).isEqualTo(200);
        assertThat(loader.body()).isEqualTo("from root2");
    }

    // --- images

    private Path cachedBlobPath;

    /** A blob already in the cache when the server starts: the only thing a lower limit can evict. */
    private void cachedBlob() throws Exception {
        byte[] content = "a cached blob".getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        cachedBlobPath = tmp.resolve("cache/blobs/sha256/" + hex);
        Files.createDirectories(cachedBlobPath.getParent());
        Files.write(cachedBlobPath, content);
    }

    private void cacheIsEvicted() {
        assertThat(server.images().settings().cacheLimitBytes()).isEqualTo(1);
        assertThat(cachedBlobPath).doesNotExist();
    }

    /** Each done is an event in the journal (~100 bytes): enough of them fill more than one file. */
    private void theJournalIsRotatedPast(long bytes) throws Exception {
        Path journal = started.state().resolve("events.jsonl");
        Path rotated = started.state().resolve("events.jsonl.1");
        for (int i = 0; i < 100 && !Files.exists(rotated); i++) {
            assertThat(post("/done/" + MAC)).startsWith("200");
            Thread.sleep(10);
        }
        for (int i = 0; i < 100 && !Files.exists(rotated); i++) {
            Thread.sleep(20); // written within 200 ms of being recorded
        }
        assertThat(rotated).exists();
        assertThat(Files.size(rotated)).isLessThanOrEqualTo(bytes);
        assertThat(Files.size(journal)).isLessThanOrEqualTo(bytes);
    }

    // --- tftp: limits, seen from a client on the wire

    private Map<String, String> optionAck(Map<String, String> options) throws IOException {
        DatagramSocket client = socket();
        client.send(rrq("a.bin", options));
        Packet oack = receive(client, SOON);
        assertThat(oack.opcode()).as(oack.toString()).isEqualTo(6);
        return oack.options();
    }

    private void anUnansweredTransferEndsWithin(Duration limit) throws Exception {
        optionAck(Map.of("blksize", "512"));
        long deadline = System.nanoTime() + limit.toNanos();
        while (abandoned() < 1) {
            assertThat(System.nanoTime()).as("transfer abandoned within " + limit).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private double abandoned() {
        return server.registry().counter("bootferry_tftp_transfers", "result", "abandoned").count();
    }

    private void theOptionAckIsSentAgain() throws IOException {
        DatagramSocket client = socket();
        client.send(rrq("a.bin", Map.of("blksize", "512")));
        assertThat(receive(client, SOON).opcode()).isEqualTo(6);
        // The base config's 3 s timeout, then one retransmission instead of none.
        Packet again = receive(client, Duration.ofSeconds(10));
        assertThat(again.opcode()).as(again.toString()).isEqualTo(6);
    }

    private void aSecondTransferIsRefused(String error) throws IOException {
        optionAck(Map.of("blksize", "512"));
        DatagramSocket second = socket();
        second.send(rrq("a.bin", Map.of("blksize", "512")));
        assertThat(receive(second, SOON).errorMessage()).isEqualTo(error);
    }

    private int httpPort() {
        return URI.create(http).getPort();
    }

    /** A connection the server has taken up: it answered a request on it. */
    private Socket answeredConnection() throws IOException {
        Socket socket = RawHttp.connect(httpPort());
        RawHttp.send(socket, RawHttp.get("/healthz"));
        assertThat(RawHttp.read(socket.getInputStream(), false).status()).isEqualTo(200);
        return socket;
    }

    private void aSecondConnectionIsRefused(String why) throws IOException {
        try (Socket first = answeredConnection(); Socket second = RawHttp.connect(httpPort())) {
            RawHttp.Answer refused = RawHttp.read(second.getInputStream(), false);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.text()).isEqualTo(why + "\n");
        }
    }

    /** The wire block number the server sends after block 65535. */
    private int blockAfter65535() throws IOException {
        DatagramSocket client = socket();
        int window = 64;
        client.send(rrq("big.bin", Map.of("blksize", String.valueOf(TINY_BLOCK), "windowsize", String.valueOf(window))));
        Packet oack = receive(client, SOON);
        assertThat(oack.options()).containsEntry("blksize", "8").containsEntry("windowsize", "64");
        InetSocketAddress transfer = oack.from();
        client.send(ack(0, transfer));
        for (long expected = 1; ; expected++) {
            Packet data = receive(client, SOON);
            assertThat(data.opcode()).as(data.toString()).isEqualTo(3);
            int wire = data.block();
            if (expected == 65_536) {
                return wire;
            }
            assertThat(wire).isEqualTo((int) expected);
            if (expected % window == 0) {
                client.send(ack(wire, transfer));
            }
        }
    }

    // --- a raw TFTP client and HTTP, on loopback only

    private DatagramSocket socket() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setReceiveBufferSize(1 << 20);
        sockets.add(socket);
        return socket;
    }

    private DatagramPacket rrq(String name, Map<String, String> options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(1);
        List<String> fields = new ArrayList<>(List.of(name, "octet"));
        options.forEach((k, v) -> fields.addAll(List.of(k, v)));
        for (String field : fields) {
            out.writeBytes(field.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
        }
        byte[] bytes = out.toByteArray();
        return new DatagramPacket(bytes, bytes.length, tftp);
    }

    private static DatagramPacket ack(int block, InetSocketAddress to) {
        byte[] bytes = {0, 4, (byte) (block >> 8), (byte) block};
        return new DatagramPacket(bytes, bytes.length, to);
    }

    /** A packet as received: its opcode, whole body and sender. */
    record Packet(byte[] body, InetSocketAddress from) {
        int opcode() {
            return ByteBuffer.wrap(body).getShort(0);
        }

        int block() {
            return ByteBuffer.wrap(body).getShort(2) & 0xFFFF;
        }

        List<String> strings(int from) {
            String text = new String(body, from, body.length - from, StandardCharsets.US_ASCII);
            return List.of(text.split("\0"));
        }

        Map<String, String> options() {
            List<String> s = strings(2);
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i + 1 < s.size(); i += 2) {
                options.put(s.get(i), s.get(i + 1));
            }
            return options;
        }

        String errorMessage() {
            assertThat(opcode()).as("an ERROR packet").isEqualTo(5);
            return strings(4).get(0);
        }

        @Override
        public String toString() {
            return opcode() == 5 ? "ERROR " + strings(4) : "opcode " + opcode();
        }
    }

    private static Packet receive(DatagramSocket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        byte[] buf = new byte[65536];
        DatagramPacket datagram = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(datagram);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no packet within " + wait);
        }
        return new Packet(java.util.Arrays.copyOf(buf, datagram.getLength()), (InetSocketAddress) datagram.getSocketAddress());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(http + path)).timeout(SOON).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String post(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(http + path)).timeout(SOON)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().strip();
    }
}
