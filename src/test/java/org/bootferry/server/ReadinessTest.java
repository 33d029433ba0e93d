package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigLoader;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} says what {@code BootServer.notReady()} says, the same answer systemd's READY=1
 * waits for: 503 with the reason until every listener is bound, 200 from then on until a stop.
 */
class ReadinessTest {

    /** Generous: a loaded CI machine. An answer takes milliseconds. */
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(LIMIT).build();
    /** The port is the one the server bound (port 0: no race with other tests for a free one). */
    private static final Pattern LISTENING_HTTP = Pattern.compile("listening http tcp (\\S+)");

    @TempDir
    Path tmp;

    private static String get(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(LIMIT)
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void notReadyUntilEveryListenerIsBoundNorAfterAStop() throws IOException {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.loopbackServer(tmp, 0, 0);
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        ConfigHolder holder = new ConfigHolder(loader, loader.load().requireValid(), ConfigCheck::check);
        BootServer server = new BootServer(holder);
        assertThat(server.notReady()).contains("starting: no listener bound yet");

        // HTTP is bound first: asked between its bind and TFTP's, the server is up but not ready.
        List<String> answers = new ArrayList<>();
        String[] base = new String[1];
        try {
            server.start(line -> {
                Matcher http = LISTENING_HTTP.matcher(line);
                if (http.matches()) {
                    base[0] = "http://" + http.group(1);
                    answers.add(get(base[0] + "/readyz"));
                }
            });
            answers.add(get(base[0] + "/readyz"));
            assertThat(get(base[0] + "/healthz")).isEqualTo("200 ok\n");
            assertThat(answers).containsExactly("503 starting: tftp not bound yet\n", "200 ready\n");
            assertThat(server.notReady()).isEmpty();
        } finally {
            server.stop(Duration.ZERO);
            holder.close();
        }
        assertThat(server.notReady()).contains("stopped");
    }

    @Test
    void notReadyWhileEditsOnDiskCannotBePutInForce() throws Exception {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.loopbackServer(tmp, 0, 0);
        java.util.concurrent.atomic.AtomicBoolean outOfMemory = new java.util.concurrent.atomic.AtomicBoolean();
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        ConfigHolder holder = new ConfigHolder(loader, loader.load().requireValid(), (next, inForce) -> {
            if (outOfMemory.get()) {
                throw new OutOfMemoryError("Java heap space");
            }
            return ConfigCheck.check(next, inForce);
        });
        BootServer server = new BootServer(holder);
        String[] base = new String[1];
        try {
            server.start(line -> {
                Matcher http = LISTENING_HTTP.matcher(line);
                if (http.matches()) {
                    base[0] = "http://" + http.group(1);
                }
            });
            holder.watch(Duration.ofSeconds(30));
            outOfMemory.set(true);
            config.file("machines/default.yaml", "hostname: any");
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (server.notReady().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(get(base[0] + "/readyz")).startsWith(
                    "503 config reload failed: java.lang.OutOfMemoryError: Java heap space; the config in force stays");
            outOfMemory.set(false);
            while (server.notReady().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(get(base[0] + "/readyz")).isEqualTo("200 ready\n");
        } finally {
            server.stop(Duration.ZERO);
            holder.close();
        }
    }
}
