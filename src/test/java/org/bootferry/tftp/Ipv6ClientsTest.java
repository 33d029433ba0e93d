package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's TFTP clients over IPv6 loopback against a server bound to {@code ::}, the default: the
 * dual-stack wildcard and its per-address sockets, with the options EDK2 sends over IPv6 (tsize,
 * blksize 1228 = the IPv6 minimum MTU's, windowsize 4; reference/ipv6) and larger ones. Every byte
 * is checked. An IPv4 bind is IPv4 only.
 */
class Ipv6ClientsTest {

    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    static Path root;
    @TempDir
    static Path downloads;
    static TftpFixture tftp;

    @BeforeAll
    static void start() throws Exception {
        TftpSettings defaults = TftpFixture.DEFAULTS;
        tftp = new TftpFixture(root, defaults.withMaxSessionsPerClient(defaults.maxSessions()), InetAddress.getByName("::"));
    }

    @AfterAll
    static void stop() {
        tftp.close();
    }

    @Test
    void tftpHpaFetchesOverIpv6() throws Exception {
        Tools.require("tftp", "tftp-hpa");
        Path source = tftp.file("hpa6.bin", 1024 * 1024 + 3);
        Path got = downloads.resolve("hpa6.bin");
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("tftp", "-6", "-m", "binary", "::1",
                Integer.toString(tftp.port()), "-c", "get", "hpa6.bin", got.toString()));
        assertSameContent(run, source, got);
    }

    /** EDK2's IPv6 request (reference/ipv6: "EDK2 TFTP over IPv6"), then larger windows and blocks. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tsize 0,blksize 1228,windowsize 4", "blksize 1228,windowsize 4", "blksize 8192,windowsize 16",
            "blksize 512"})
    void atftpFetchesOverIpv6WithOptions(String options) throws Exception {
        Tools.require("atftp", "atftp");
        Path source = tftp.file("atftp6-" + options.hashCode() + ".bin", 3 * 1024 * 1024 + 1);
        Path got = downloads.resolve(source.getFileName());
        List<String> command = new ArrayList<>(List.of("atftp", "-g", "-r", source.getFileName().toString(), "-l",
                got.toString()));
        for (String option : options.split(",")) {
            command.addAll(List.of("--option", option));
        }
        command.addAll(List.of("::1", Integer.toString(tftp.port())));
        assertSameContent(TftpFixture.run(LIMIT, command), source, got);
    }

    @Test
    void curlFetchesOverIpv6AndIpv4FromTheSameListener() throws Exception {
        Tools.require("curl", "curl");
        Path source = tftp.file("curl6.bin", 2 * 1024 * 1024 + 5);
        for (String host : List.of("[::1]", "127.0.0.1")) {
            Path got = downloads.resolve("curl6-" + host.hashCode());
            TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("curl", "-g", "-sS", "--tftp-blksize", "1228", "-o",
                    got.toString(), "tftp://" + host + ":" + tftp.port() + "/curl6.bin"));
            assertSameContent(run, source, got);
        }
    }

    @Test
    void anIpv4BindIsIpv4Only() throws Exception {
        Tools.require("curl", "curl");
        try (TftpFixture v4 = new TftpFixture(root, TftpFixture.DEFAULTS, InetAddress.getByName("0.0.0.0"))) {
            Path source = v4.file("v4only.bin", 1000);
            Path got = downloads.resolve("v4only.bin");
            assertSameContent(TftpFixture.run(LIMIT, List.of("curl", "-sS", "-o", got.toString(),
                    "tftp://127.0.0.1:" + v4.port() + "/v4only.bin")), source, got);
            TftpFixture.Run refused = TftpFixture.run(LIMIT, List.of("curl", "-g", "-sS", "--connect-timeout", "5",
                    "-o", downloads.resolve("none").toString(), "tftp://[::1]:" + v4.port() + "/v4only.bin"));
            assertThat(refused.exit()).as(refused.output()).isNotZero();
        }
    }

    private static void assertSameContent(TftpFixture.Run run, Path source, Path got) throws IOException {
        assertThat(run.exit()).as("client exit status; output: %s", run.output()).isZero();
        assertThat(TftpFixture.sha256(got)).as("SHA-256 of %s", got).isEqualTo(TftpFixture.sha256(source));
        assertThat(Files.size(got)).isEqualTo(Files.size(source));
    }
}
