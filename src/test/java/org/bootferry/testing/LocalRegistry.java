package org.bootferry.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (distribution 2.8) on a loopback port with a config file of our own — never
 * /etc's, which listens on every interface. Its access log (stdout, combined format) tells what
 * bootferry really asked for.
 */
public final class LocalRegistry implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path accessLog;

    private LocalRegistry(Process process, int port, Path accessLog) {
        this.process = process;
        this.port = port;
        this.accessLog = accessLog;
    }

    /** @param authSection YAML for the registry's {@code auth:} key (indented by two), or empty for none */
    public static LocalRegistry start(Path dir, int port, String authSection) throws Exception {
        Path binary = Tools.require("docker-registry", "docker-registry");
        Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                  formatter: text
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                  secret: bfi-test-not-a-secret
                %s
                """.formatted(dir.resolve("storage"), port, authSection.isEmpty() ? "" : "auth:\n" + authSection));
        Path accessLog = dir.resolve("access.log");
        Process p = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectOutput(accessLog.toFile()).redirectError(dir.resolve("registry.log").toFile()).start();
        LocalRegistry registry = new LocalRegistry(p, port, accessLog);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 250; i++) {
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return registry;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        registry.close();
        throw new IllegalStateException("docker-registry did not start on port " + port + ": "
                + Files.readString(dir.resolve("registry.log")));
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Access-log lines of requests bootferry made (its User-Agent), e.g. {@code "GET /v2/test/kernel/blobs/}. */
    public long requests(String methodAndPathPrefix) throws IOException {
        List<String> lines = Files.readAllLines(accessLog);
        return lines.stream().filter(l -> l.contains("\"" + methodAndPathPrefix) && l.endsWith("\"bootferry\"")).count();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
