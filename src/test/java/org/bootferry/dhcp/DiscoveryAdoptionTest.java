package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery and adoption through a running {@code bootferry serve}, as an admin meets them: an
 * unknown machine PXE-boots and is not answered, shows up in {@code /api/discovered} and on the
 * status page, is adopted over the API, and its next DISCOVER is answered; the list outlives the
 * server, and {@code bootferry discovered} prints it.
 */
class DiscoveryAdoptionTest {

    private static final String TOKEN = "0123456789abcdef0123";
    private static final String STRANGER = "52:54:00:12:34:77";
    private static final String OTHER = "52:54:00:12:34:78";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    ConfigDir config;
    ServerProcess server;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 50_000);
        config.file("server.yaml", "advertise: 127.0.0.1", "state: ../state",
                "api: {token: " + TOKEN + ", allowFrom: [127.0.0.0/8]}");
        config.file("profiles/rescue.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}", "  kernelArgs: console=ttyS0");
        config.file("machines/.keep");
        server = ServerProcess.start(List.of(), tmp.resolve("serve.log"), List.of("http", "dhcp"),
                "--config", config.dir().toString(), "--bind", "127.0.0.1", "--http-port", "0", "--tftp-port", "0",
                "--dhcp-port", "0", "--pxe-port", "0", "--tftp-root", config.dir().resolve("boot").toString());
        base = "http://127.0.0.1:" + server.port("http");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** An EDK2 x64 DISCOVER (captured) from {@code mac}'s last byte, to the server's DHCP port. */
    private void discover(String mac) throws Exception {
        byte[] d = Captures.bytes(Captures.EDK2_X64_DISCOVER);
        d[28 + 5] = (byte) Integer.parseInt(mac.substring(mac.length() - 2), 16);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(d, d.length, InetAddress.getLoopbackAddress(), server.port("dhcp")));
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /**
     * Waits for {@code path} to answer what {@code until} accepts: a datagram, a config reload and a
     * state file are handled by the server in their own time. Ten seconds is past the config
     * watcher's rescan (5 s), which catches what a watch event missed.
     */
    private JsonNode await(String path, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode body = JSON.readTree(get(path));
        while (!until.test(body) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            body = JSON.readTree(get(path));
        }
        return body;
    }

    private static boolean lists(JsonNode discovered, String mac) {
        return !entry(discovered, mac).isMissingNode();
    }

    /** The machine {@code mac} of a {@code /api/discovered} answer; a missing node when it lists none. */
    private static JsonNode entry(JsonNode discovered, String mac) {
        for (JsonNode m : discovered.path("machines")) {
            if (m.path("mac").asText().equals(mac)) {
                return m;
            }
        }
        return MissingNode.getInstance();
    }

    @Test
    void anUnknownMachineIsSeenAdoptedOverTheApiAndAnsweredAtItsNextDiscover() throws Exception {
        discover(STRANGER);
        discover(STRANGER);
        discover(OTHER);
        // The three datagrams come from three sockets, which the server's loops may read in any order,
        // so the list's order (last seen first) is not asserted: each machine is found by its MAC.
        JsonNode discovered = await("/api/discovered", d -> lists(d, OTHER)
                && entry(d, STRANGER).path("requests").asInt() == 2);
        JsonNode stranger = entry(discovered, STRANGER);
        assertThat(stranger.path("mac").asText()).isEqualTo(STRANGER);
        assertThat(stranger.path("requests").asInt()).isEqualTo(2);
        assertThat(stranger.path("firmware").asText()).isEqualTo("efi-x64");
        assertThat(stranger.path("via").asText()).isEqualTo("interface 127.0.0.1");
        assertThat(stranger.path("file").asText()).isEqualTo(config.dir().resolve("machines/52-54-00-12-34-77.yaml").toString());
        assertThat(stranger.path("machineFile").asText()).isEqualTo("# 52:54:00:12:34:77, adopted by bootferry\nprofile: rescue\n");
        assertThat(discovered.path("dropped").asLong()).isZero();
        // Passive: nothing was answered.
        assertThat(JSON.readTree(get("/api/events?mac=" + STRANGER))).isEmpty();
        assertThat(server.log()).contains("status page: " + base + "/ (machines seen but not configured are listed there)");
        String page = get("/");
        assertThat(page).contains("Seen, not configured", "id=\"d-52-54-00-12-34-77\"", "bootferry adopt 52:54:00:12:34:77 --profile rescue",
                "No machines yet");

        String adopt = base + "/api/discovered/52-54-00-12-34-77/adopt?profile=rescue&hostname=node-77";
        assertThat(send(HttpRequest.newBuilder(URI.create(adopt)).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(401);
        HttpResponse<String> adopted = send(HttpRequest.newBuilder(URI.create(adopt)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(adopted.statusCode()).as(adopted.body()).isEqualTo(201);
        assertThat(config.dir().resolve("machines/52-54-00-12-34-77.yaml")).hasContent(
                "# 52:54:00:12:34:77, adopted by bootferry\nhostname: node-77\nprofile: rescue");
        HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(adopt)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(again.statusCode()).isEqualTo(409);

        JsonNode machines = await("/api/machines", m -> m.size() == 1);
        assertThat(machines.get(0).path("hostname").asText()).isEqualTo("node-77");
        assertThat(lists(JSON.readTree(get("/api/discovered")), STRANGER)).isFalse();
        discover(STRANGER);
        JsonNode events = await("/api/events?mac=" + STRANGER, e -> e.toString().contains("dhcp-offer"));
        assertThat(events.toString()).contains("\"stage\":\"adopted\"", "\"stage\":\"dhcp-offer\"");

        server.close();
        server = null;
        Commands.Run listed = Commands.bootferry("discovered", "--config", config.dir().toString());
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains(OTHER + "  efi-x64").doesNotContain(STRANGER)
                .contains("adopt one: bootferry adopt MAC --profile rescue");
    }
}
