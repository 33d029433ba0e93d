package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as an admin runs them: exit codes and what they print. */
class CliTest {

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void goodConfig() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.file("server.yaml", "advertise: 127.0.0.1");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: console=ttyS0");
    }

    private static Commands.Run run(String... args) {
        return Commands.bootferry(args);
    }

    @Test
    void validateAcceptsAGoodConfig() {
        Commands.Run r = run("validate", "--config", config.dir().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(config.dir() + ": OK (1 machines, 0 profiles, 0 templates)\n");
    }

    @Test
    void validatePrintsFileLineMessageAndExitsOne() {
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: node-02", "kernelBoot:", "  kernelArg: x");
        Commands.Run r = run("validate", "--config", config.dir().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(config.dir().resolve("machines/52-54-00-12-34-57.yaml")
                + ":3: unknown key 'kernelArg' in 'kernelBoot' (did you mean 'kernelArgs'?)\n1 error(s) in " + config.dir() + "\n");
    }

    @Test
    void serveRefusesToStartOnABadFileWithTheSameMessage() {
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: \"unterminated", "kernelBoot: {}");
        Commands.Run r = run("serve", "--config", config.dir().toString(), "--http-port", "0", "--no-dhcp");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith(config.dir().resolve("machines/52-54-00-12-34-57.yaml") + ":")
                .contains("YAML syntax error")
                .contains("bootferry: not starting: 1 error(s) in " + config.dir());
    }

    @Test
    void serveSaysWhatToDoWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Commands.Run r = run("serve", "--config", config.dir().toString(), "--bind", "127.0.0.1",
                    "--http-port", String.valueOf(taken.getLocalPort()), "--no-dhcp", "--tftp-port", "0",
                    "--tftp-root", tmp.toString());
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("bootferry: cannot listen for http on tcp 127.0.0.1:" + taken.getLocalPort()
                    + ": the port is already in use by another process (see: ss -lunpt | grep :" + taken.getLocalPort()
                    + "); stop it or choose another port with --http-port\n");
        }
    }

    @Test
    void explainShowsEveryStage() {
        Commands.Run r = run("explain", "52:54:00:12:34:56", "--config", config.dir().toString(), "--firmware", "efi-x64");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("dhcp      boot file ipxe.efi for efi-x64, next-server 127.0.0.1")
                .contains("ipxe      boot file http://127.0.0.1:8080/boot.ipxe?mac=52:54:00:12:34:56")
                .contains("cmdline   console=ttyS0");
    }

    @Test
    void explainOfAnUnknownMacSaysItIsNotAnswered() {
        Commands.Run r = run("explain", "52-54-00-00-00-09", "--config", config.dir().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("52:54:00:00:00:09: not answered (no machines/52-54-00-00-00-09.yaml and no machines/default.yaml)\n");
    }
}
