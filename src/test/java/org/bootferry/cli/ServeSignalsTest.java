package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Ports;
import org.bootferry.testing.Processes;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as systemd runs it, in a process of its own: the notify socket hears READY=1 once it
 * listens, SIGHUP reloads an edit between RELOADING=1 and READY=1, and SIGTERM lets a download under
 * way finish, then exits 0 (the JVM's own answer would be 143, a failed unit).
 */
class ServeSignalsTest {

    private static final String NODE1 = "52:54:00:12:34:56";
    private static final String NODE2 = "52:54:00:12:34:57";
    /** Larger than loopback's socket buffers, so the server is still sending when SIGTERM comes. */
    private static final int KERNEL_BYTES = 32 << 20;

    @TempDir
    Path tmp;

    private final BlockingQueue<String> notified = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private ServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.kill9();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void notifiesReloadsOnHangupAndStopsOnTermWithExitZeroAfterTheDownloadUnderWay() throws Exception {
        Tools.require("curl", "curl");
        Channel systemd = listen(tmp.resolve("notify"));
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", KERNEL_BYTES);
        config.blob("boot/initrd.img", 1000);
        int port = Ports.freeTcp();
        String base = "http://127.0.0.1:" + port;
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "state: ../state");
        machine(config, NODE1, "node-01");
        server = ServerProcess.start(Map.of("NOTIFY_SOCKET", tmp.resolve("notify").toString()), List.of(),
                tmp.resolve("serve.log"), List.of("http", "tftp"), "--config", config.dir().toString(),
                "--bind", "127.0.0.1", "--no-dhcp", "--tftp-port", "0",
                "--tftp-root", config.dir().resolve("boot").toString());
        assertThat(next()).isEqualTo("READY=1\nSTATUS=1 machine, 0 config errors");

        machine(config, NODE2, "node-02");
        server.signal("HUP");
        String message;
        do {
            message = next(); // the file watcher may have seen the edit first: its STATUS= comes before
        } while (!message.startsWith("RELOADING=1\n"));
        assertThat(message).matches("RELOADING=1\nMONOTONIC_USEC=\\d+");
        do {
            message = next(); // the reload's own STATUS=, then READY=1 with it again
        } while (message.startsWith("STATUS="));
        assertThat(message).isEqualTo("READY=1\nSTATUS=2 machines, 0 config errors");
        assertThat(curl(base + "/boot.ipxe?mac=" + NODE2)).contains("# bootferry: node-02");
        assertThat(server.log()).contains("SIGHUP: reloading the config");

        Path download = tmp.resolve("kernel");
        Process slow = new ProcessBuilder("curl", "-sS", "--fail", "--limit-rate", "24M", "-o", download.toString(),
                base + "/boot/" + NODE1.replace(':', '-') + "/kernel").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("curl.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Thread.sleep(500);
        assertThat(slow.isAlive()).as("the download is still under way when SIGTERM comes").isTrue();
        server.signal("TERM");
        int exit = server.exitCode();
        String log = server.log();
        server = null;
        assertThat(exit).as("exit code after SIGTERM; log:\n" + log).isZero();
        assertThat(slow.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(slow.exitValue()).as(Files.readString(tmp.resolve("curl.log"))).isZero();
        assertThat(Files.size(download)).isEqualTo(KERNEL_BYTES);
        do {
            message = next();
        } while (message.startsWith("STATUS="));
        assertThat(message).isEqualTo("STOPPING=1\nSTATUS=stopping");
        systemd.close().sync();
    }

    private static void machine(ConfigDir config, String mac, String hostname) {
        config.file("machines/" + mac.replace(':', '-') + ".yaml", "hostname: " + hostname, "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}");
    }

    private static String curl(String url) {
        return Processes.run(List.of("curl", "-sS", url), 30).text();
    }

    /** What systemd does with NOTIFY_SOCKET: binds it and reads datagrams. */
    private Channel listen(Path path) throws InterruptedException {
        return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        notified.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(path.toString())).sync().channel();
    }

    private String next() throws InterruptedException {
        String message = notified.poll(20, TimeUnit.SECONDS);
        assertThat(message).as("a notification within 20 s; log:\n" + (server == null ? "" : server.log()))
                .isNotNull();
        return message;
    }
}
