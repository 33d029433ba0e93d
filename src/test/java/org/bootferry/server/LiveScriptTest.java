package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running server's iPXE script follows every edit of the machine file and every install reported
 * done or reset at the very next request, though it renders a machine's script once a second: edits
 * here come faster than that.
 */
class LiveScriptTest {

    private static final String MAC = "52-54-00-12-34-56";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;
    private ConfigDir config;
    private InProcessServer running;

    @BeforeEach
    void start() throws Exception {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        machine("console=ttyS0");
        config.loopbackServer(tmp, 0, 0);
        running = InProcessServer.start(config.dir());
    }

    @AfterEach
    void stop() {
        running.close();
    }

    private void machine(String kernelArgs) {
        config.file("machines/" + MAC + ".yaml", "access: open", "bootOnce: true", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: " + kernelArgs);
    }

    private String script() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(running.http() + "/boot.ipxe?mac=" + MAC))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void theNextScriptRequestAfterAnEditOfTheMachineFileHasTheEdit() throws Exception {
        assertThat(script()).contains(" console=ttyS0\n");
        for (int edit = 1; edit <= 20; edit++) {
            machine("console=ttyS" + edit);
            assertThat(running.holder.reload().errors()).isEmpty();
            assertThat(script()).as("after edit " + edit).contains(" console=ttyS" + edit + "\n");
        }
    }

    @Test
    void theNextScriptRequestAfterAnInstallReportedDoneBootsTheDiskAndAfterAResetInstallsAgain() throws Exception {
        assertThat(script()).contains("kernel http://127.0.0.1:");
        HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(URI.create(running.http() + "/done/" + MAC))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(script()).endsWith("sanboot --no-describe --drive 0x80\n").doesNotContain("kernel ");
        // What `bootferry reset` does from another process: the state file goes.
        Files.delete(tmp.resolve("state/installed/" + MAC));
        assertThat(script()).contains("kernel http://127.0.0.1:");
    }
}
