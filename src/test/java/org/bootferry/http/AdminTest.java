package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Ports;
import org.bootferry.testing.Processes;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an admin sees and does: boot-once, events, the API, metrics, access to mutating endpoints. */
class AdminTest {

    static final String NODE1 = "52-54-00-12-34-56";
    static final String TOKEN = "0123456789abcdef0123";
    static final String AUTH = "-H";
    /** The scheme's case is free (RFC 9110 §11.1). */
    static final String TOKEN_HEADER = "Authorization: bearer " + TOKEN;

    @TempDir
    Path tmp;
    ConfigDir config;
    int port;
    String base;
    ServerProcess server;

    @BeforeEach
    void config() {
        Tools.require("curl", "curl");
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 50_000);
        config.blob("boot/initrd.img", 20_000);
        port = Ports.freeTcp();
        base = "http://127.0.0.1:" + port;
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "state: ../state",
                "api: {token: " + TOKEN + ", allowFrom: [127.0.0.0/8]}");
        config.file("templates/ks.cfg", "network --hostname={{hostname}}", "%post", "curl -X POST {{serverUrl}}/done/{{mac}}",
                "%end");
        // access: open: static URLs, under api:'s rules (POST /done/M); capability URLs are CapabilityUrlsTest's.
        config.file("machines/" + NODE1 + ".yaml", "hostname: node-01", "access: open", "bootOnce: true", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}", "  kernelArgs: inst.ks={{kickstartUrl}}",
                "kickstart: ks.cfg");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start() {
        server = ServerProcess.start(List.of(), tmp.resolve("serve.log"), List.of("http", "tftp"),
                "--config", config.dir().toString(), "--bind", "127.0.0.1", "--no-dhcp", "--tftp-port", "0",
                "--tftp-root", config.dir().resolve("boot").toString());
    }

    private static String curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS"));
        command.addAll(Arrays.asList(args));
        return Processes.run(command, 30).text();
    }

    private String script() {
        return curl(base + "/boot.ipxe?mac=" + NODE1);
    }

    private String done(String... auth) {
        List<String> args = new ArrayList<>(List.of("-X", "POST", "-w", " %{http_code}"));
        args.addAll(Arrays.asList(auth));
        args.add(base + "/done/" + NODE1);
        return curl(args.toArray(String[]::new));
    }

    @Test
    void bootOnceMachineInstallsThenBootsFromDiskEvenAfterKillNineUntilReset() {
        start();
        assertThat(script()).contains("kernel http://127.0.0.1:" + port + "/boot/" + NODE1 + "/kernel");
        assertThat(done("-H", "Authorization: Bearer " + TOKEN)).isEqualTo("recorded: 52:54:00:12:34:56 installed\n 200");
        assertThat(script()).contains("sanboot --no-describe --drive 0x80").doesNotContain("kernel ");
        server.kill9();
        start();
        assertThat(script()).contains("sanboot").doesNotContain("kernel ");
        Processes.Result reset = Processes.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.bootferry.cli.Main", "reset", NODE1,
                "--config", config.dir().toString()), 60);
        assertThat(reset.text()).isEqualTo("52:54:00:12:34:56: reset; it installs again at its next boot\n");
        assertThat(script()).contains("kernel http://");
    }

    @Test
    void mutatingEndpointsNeedTheTokenAndAnAllowedAddress() {
        start();
        assertThat(done()).isEqualTo("a valid api token is required (Authorization: Bearer <token>)\n 401");
        assertThat(done("-H", "Authorization: Bearer wrong-token-wrong")).endsWith(" 401");
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "state: ../state",
                "api: {token: " + TOKEN + ", allowFrom: [10.0.0.0/8]}");
        server.close();
        start();
        assertThat(done("-H", "Authorization: Bearer " + TOKEN)).isEqualTo("127.0.0.1 is not in api.allowFrom\n 403");
    }

    @Test
    void everyStageIsAnEventAndACounter() throws Exception {
        start();
        script();
        curl("-o", "/dev/null", base + "/boot/" + NODE1 + "/kernel");
        curl("-o", "/dev/null", base + "/boot/" + NODE1 + "/initrd");
        curl(base + "/ks/" + NODE1);
        JsonNode events = new ObjectMapper().readTree(curl(AUTH, TOKEN_HEADER, base + "/api/events?mac=" + NODE1));
        assertThat(events).extracting(e -> e.get("stage").asText()).containsExactly("script", "kernel", "initrd", "kickstart");
        assertThat(events.get(1).get("bytes").asLong()).isEqualTo(50_000);
        assertThat(events.get(2).get("bytes").asLong()).isEqualTo(20_000);
        curl("-o", "/dev/null", "tftp://127.0.0.1:" + server.port("tftp") + "/vmlinuz");
        String metrics = curl(base + "/metrics");
        assertThat(metrics)
                .contains("bootferry_boot_events_total{stage=\"kernel\"} 1.0")
                .contains("bootferry_http_requests_total{route=\"script\",status=\"200\"} 1.0")
                .contains("bootferry_http_response_bytes_total{route=\"kernel\"} 50000.0")
                .contains("bootferry_config_machines 1.0")
                .contains("bootferry_tftp_transfers_total{result=\"complete\"} 1.0")
                .contains("bootferry_tftp_bytes_total 50000.0")
                .contains("bootferry_build_info{version=\"development\"} 1\n")
                .contains("bootferry_http_request_duration_seconds_count{route=\"script\"} 1")
                .contains("bootferry_http_request_duration_seconds_bucket{route=\"kickstart\",le=\"300.0\"} 1")
                .contains("bootferry_tftp_transfer_duration_seconds_count{result=\"complete\"} 1")
                .contains("bootferry_tftp_transfer_duration_seconds_bucket{result=\"complete\",le=\"600.0\"} 1");
        Path journal = tmp.resolve("state/events.jsonl");
        for (int i = 0; i < 50 && !Files.readString(journal).contains("\"stage\":\"kickstart\""); i++) {
            Thread.sleep(50); // the journal is written every 200 ms
        }
        assertThat(journal).content().contains("\"stage\":\"initrd\"", "\"bytes\":20000", "\"stage\":\"kickstart\"");
    }

    @Test
    void apiExplainsAMachineAndListsConfigErrors() throws Exception {
        start();
        JsonNode machine = new ObjectMapper().readTree(curl(AUTH, TOKEN_HEADER, base + "/api/machines/52:54:00:12:34:56"));
        assertThat(machine.get("hostname").asText()).isEqualTo("node-01");
        assertThat(machine.get("dhcp").get("efi-x64").asText()).isEqualTo("ipxe.efi");
        assertThat(machine.get("cmdline").asText()).isEqualTo("inst.ks=http://127.0.0.1:" + port + "/ks/" + NODE1);
        // Its text goes to its machine only: the API says which version it is.
        String kickstart = curl(base + "/ks/" + NODE1);
        assertThat(machine.get("installFile").get("size").asLong()).isEqualTo(kickstart.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(machine.get("installFile").get("sha256").asText()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(kickstart.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(machine.toString()).doesNotContain("curl -X POST");
        JsonNode list = new ObjectMapper().readTree(curl(AUTH, TOKEN_HEADER, base + "/api/machines"));
        assertThat(list).extracting(m -> m.get("mac").asText()).containsExactly("52:54:00:12:34:56");

        config.file("machines/52-54-00-12-34-57.yaml", "hostname: node-02", "kernelArg: x");
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode errors = new ObjectMapper().readTree(curl(AUTH, TOKEN_HEADER, base + "/api/config/errors"));
        while (errors.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            errors = new ObjectMapper().readTree(curl(AUTH, TOKEN_HEADER, base + "/api/config/errors"));
        }
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.get("line").asInt()).isEqualTo(2);
            assertThat(e.get("message").asText()).isEqualTo("unknown key 'kernelArg' (known keys: access, bootOnce, cloudInitNoCloud, duid, files, hostname, httpBoot, ip, ip6, kernelBoot, kickstart, loaders, match, profile, vars)");
        });
        assertThat(curl(AUTH, TOKEN_HEADER, base + "/")).contains("unknown key &#39;kernelArg&#39;");
    }

    @Test
    void theAdminSurfaceTakesTheTokenFromTheHeaderOnlyAndRefusesBrowsers() throws Exception {
        start();
        String status = " %{http_code}";
        assertThat(curl("-w", status, base + "/api/machines")).endsWith(" 401");
        assertThat(curl("-w", status, base + "/")).endsWith(" 401");
        assertThat(curl("-w", status, "-o", "/dev/null", AUTH, TOKEN_HEADER, base + "/api/machines")).isEqualTo(" 200");
        assertThat(curl("-w", status, base + "/healthz")).isEqualTo("ok\n 200");
        assertThat(curl("-w", status, base + "/api/machines?token=" + TOKEN)).isEqualTo(
                "the api token goes in the Authorization header (Bearer), never in the URL, which logs keep\n 400");
        // A web page's form post carries the browser's Origin: refused, even with the token.
        assertThat(curl("-w", status, "-X", "POST", AUTH, TOKEN_HEADER, "-H", "Origin: http://evil.example",
                "-H", "Content-Type: application/x-www-form-urlencoded", base + "/api/machines/" + NODE1 + "/reset"))
                .isEqualTo("a browser's request can't change state (a web page could send it): use curl or another"
                        + " HTTP client\n 403");
        assertThat(curl("-w", status, "-X", "POST", AUTH, TOKEN_HEADER, base + "/api/machines/" + NODE1 + "/reset"))
                .endsWith(" 200");

        // server.yaml gone: the reload keeps the token in force and says so.
        Files.delete(config.dir().resolve("server.yaml"));
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!curl(AUTH, TOKEN_HEADER, base + "/api/config/errors").contains("takes effect at the next restart")
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(curl(AUTH, TOKEN_HEADER, base + "/api/config/errors"))
                .contains("'token' changed (set) -> (none): takes effect at the next restart");
        assertThat(curl("-w", status, base + "/api/machines")).endsWith(" 401");
        server.close();
        assertThat(server.log()).contains("?token=(removed)").doesNotContain(TOKEN);
    }

    @Test
    void withoutATokenOrAllowFromNoAdminMayResetButAnInstallerReportsDone() {
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "state: ../state");
        start();
        assertThat(curl("-w", " %{http_code}", "-X", "POST", base + "/api/machines/" + NODE1 + "/reset")).isEqualTo(
                "changing state needs api.token (or api.allowFrom) in server.yaml: without either, anyone on the network"
                        + " could\n 403");
        assertThat(done()).isEqualTo("recorded: 52:54:00:12:34:56 installed\n 200");
        assertThat(curl("-w", " %{http_code}", "-o", "/dev/null", base + "/api/machines")).isEqualTo(" 200");
    }
}
