package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Curl;
import org.bootferry.testing.Ports;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets, config values and files outside the config tree planted where the probes of issue 18 found
 * them echoed (a pull secret that is no JSON, a machine file linked to a shadow file, a value of the
 * wrong type, a template's braces): every channel an attacker or a curious admin reads is grepped for
 * them. The one install file that names a secret gets it, its machine's alone.
 */
class SecretsNeverShownTest {

    static final String WITH_SECRET = "52-54-00-12-34-56";
    static final String OTHER = "52-54-00-12-34-57";
    static final String PULL_PASSWORD = "PLANTED-PULL-PASSWORD";
    static final String ROOT_HASH = "PLANTED-ROOT-HASH";
    static final String SHADOW = "PLANTED-SHADOW-LINE";
    static final String WRONG_TYPE = "PLANTED-WRONG-TYPE";
    static final String TEMPLATE_TEXT = "PLANTED TEMPLATE TEXT";
    static final List<String> PLANTED = List.of(PULL_PASSWORD, base64("robot:" + PULL_PASSWORD), ROOT_HASH, SHADOW,
            WRONG_TYPE, TEMPLATE_TEXT);

    @TempDir
    Path tmp;

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String curl(String... args) {
        return Curl.run(args);
    }

    @Test
    void noPlantedSecretReachesAnyChannelButItsOwnMachinesInstallFile() throws Exception {
        Tools.require("curl", "curl");
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10_000);
        int port = Ports.freeTcp();
        String base = "http://127.0.0.1:" + port;
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "state: ../state", "cache: ../cache");
        config.file("secrets/install.yaml", "rootpw: " + ROOT_HASH);
        config.file("secrets/registry.json", "{\"auths\": {\"127.0.0.1:1\": {\"auth\": \"" + base64("robot:x") + "\"}}}");
        config.file("templates/ks.cfg", "rootpw --iscrypted {{secrets.install.rootpw}}", "network --hostname={{hostname}}");
        config.file("templates/plain.cfg", "network --hostname={{hostname}}");
        // access: open: the probes fetch each machine's URLs without a capability, as any host could.
        config.file("machines/" + WITH_SECRET + ".yaml", "hostname: node-01", "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: inst.ks={{kickstartUrl}}", "kickstart: ks.cfg");
        config.file("machines/" + OTHER + ".yaml", "hostname: node-02", "access: open", "kernelBoot:",
                "  container: {image: 127.0.0.1:1/boot/os:1, imagePullSecret: registry}", "kickstart: plain.cfg");
        ServerProcess server = ServerProcess.start(List.of(), tmp.resolve("serve.log"), List.of("http", "tftp"),
                "--config", config.dir().toString(), "--bind", "127.0.0.1", "--no-dhcp", "--tftp-port", "0",
                "--tftp-root", config.dir().resolve("boot").toString());
        Map<String, String> channels = new LinkedHashMap<>();
        try {
            assertThat(curl(base + "/ks/" + WITH_SECRET)).contains("rootpw --iscrypted " + ROOT_HASH);

            // The probes: each planted where an error used to quote it, while the server runs.
            config.file("secrets/registry.json", "{\"auths\": {\"127.0.0.1:1\": {\"auth\": \""
                    + base64("robot:" + PULL_PASSWORD) + "\" " + PULL_PASSWORD + "}}");
            Path outside = tmp.resolve("outside/shadow");
            Files.createDirectories(outside.getParent());
            Files.writeString(outside, "root:" + SHADOW + ":20228:0:99999:7:::\n");
            Files.createSymbolicLink(config.dir().resolve("machines/52-54-00-12-34-58.yaml"), outside);
            config.file("machines/52-54-00-12-34-59.yaml", "hostname: node-04", "bootOnce: " + WRONG_TYPE);
            config.file("templates/broken.cfg", "{{ " + TEMPLATE_TEXT + " }}");
            config.file("machines/52-54-00-12-34-5a.yaml", "hostname: node-05", "kernelBoot:",
                    "  files: {kernel: boot/vmlinuz}", "kickstart: broken.cfg");
            waitForErrors(base, 5);

            channels.put("GET /ks of another machine", curl(base + "/ks/" + OTHER));
            channels.put("GET /boot.ipxe", curl(base + "/boot.ipxe?mac=" + OTHER));
            channels.put("GET /boot/M/kernel", curl(base + "/boot/" + OTHER + "/kernel"));
            channels.put("GET /boot/M/kernel with the secret", curl(base + "/boot/" + WITH_SECRET + "/kernel", "-o", "/dev/null"));
            for (String path : List.of("/", "/metrics", "/api/machines", "/api/machines/" + WITH_SECRET,
                    "/api/machines/" + OTHER, "/api/events", "/api/config/errors", "/api/discovered")) {
                channels.put("GET " + path, curl(base + path));
            }
            channels.put("validate", run("validate", "--config", config.dir().toString()));
            channels.put("explain", run("explain", WITH_SECRET, "--config", config.dir().toString()));
            channels.put("explain other", run("explain", OTHER, "--config", config.dir().toString()));
        } finally {
            server.close();
        }
        channels.put("the log", server.log());
        channels.put("state/events.jsonl", Files.readString(tmp.resolve("state/events.jsonl")));

        assertThat(channels.get("GET /api/config/errors")).contains("52-54-00-12-34-58.yaml", "52-54-00-12-34-59.yaml",
                "broken.cfg", "registry.json");
        channels.forEach((channel, text) -> assertThat(PLANTED).as(channel + ":\n" + text)
                .noneMatch(text::contains));
    }

    private static String run(String... args) {
        Commands.Run run = Commands.bootferry(args);
        return run.out() + run.err();
    }

    /** Until the reload has found {@code count} errors: the probes are read. */
    private static void waitForErrors(String base, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String errors = "";
        while (System.nanoTime() < deadline) {
            errors = curl(base + "/api/config/errors");
            if (errors.split("\"file\"", -1).length - 1 >= count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the reload did not report " + count + " errors: " + errors);
    }
}
