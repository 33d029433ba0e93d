package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror that goes silent half-way through a file: the download is cut after the stall timeout,
 * with an error that says so, and its temporary is removed. The mirror is a socket that answers
 * headers and 1000 of the 100,000 bytes it promises, then sends nothing.
 */
class TreeClientTest {

    @TempDir
    Path tmp;

    @Test
    void aMirrorThatGoesSilentIsCutAfterTheStallTimeoutAndNothingIsLeft() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread mirror = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(new byte[1000]);
                    out.flush();
                    done.await(30, TimeUnit.SECONDS); // silent, connection open
                } catch (Exception ignored) {
                    // the client hung up
                }
            });
            mirror.start();
            ImageSettings settings = ImageSettings.defaults(tmp).withTimeouts(Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofMillis(500));
            Path temps = Files.createDirectories(tmp.resolve("tmp"));
            try (TreeClient client = new TreeClient(() -> settings)) {
                URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/os/images/pxeboot/vmlinuz");
                long started = System.nanoTime();
                assertThatThrownBy(() -> client.download(url, temps, n -> { }))
                        .isInstanceOf(MirrorUnreachableException.class)
                        .hasMessageStartingWith(url + ": stalled, no data for 500 ms after 1000 bytes");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(500),
                        Duration.ofSeconds(10));
            } finally {
                done.countDown();
                mirror.join(10_000);
            }
            try (Stream<Path> left = Files.list(temps)) {
                assertThat(left).isEmpty();
            }
        }
    }
}
