package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Independent TFTP clients from Debian fetch files from a real server on loopback; every byte is checked. */
class RealClientsTest {

    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    static Path root;
    @TempDir
    static Path downloads;
    static TftpFixture tftp;

    @BeforeAll
    static void start() {
        tftp = TftpFixture.onLoopback(root);
    }

    @AfterAll
    static void stop() {
        tftp.close();
    }

    @ParameterizedTest(name = "blksize {0}")
    @ValueSource(ints = {512, 1468, 8192, 65464})
    void curlFetchesWithEachBlockSize(int blksize) throws Exception {
        Tools.require("curl", "curl");
        Path source = tftp.file("curl-" + blksize + ".bin", 3 * 1024 * 1024 + 77);
        Path got = downloads.resolve("curl-" + blksize);
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("curl", "-sS", "--tftp-blksize", Integer.toString(blksize),
                "-o", got.toString(), url(source)));
        assertSameContent(run, source, got);
    }

    @ParameterizedTest(name = "windowsize {0}")
    @ValueSource(ints = {1, 4, 16, 64})
    void atftpFetchesWithEachWindowSize(int windowsize) throws Exception {
        Path source = tftp.file("atftp-" + windowsize + ".bin", 5 * 1024 * 1024 + 1);
        assertSameContent(atftp(source, "blksize 1468", "windowsize " + windowsize), source, downloads.resolve(source.getFileName()));
    }

    @Test
    void tftpHpaFetchesInPlainLockStep() throws Exception {
        Tools.require("tftp", "tftp-hpa");
        Path source = tftp.file("hpa.bin", 1024 * 1024 + 3);
        Path got = downloads.resolve("hpa.bin");
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("tftp", "-m", "binary", tftp.host(), Integer.toString(tftp.port()),
                "-c", "get", "hpa.bin", got.toString()));
        assertSameContent(run, source, got);
    }

    @Test
    void commonsNetFetchesInPlainLockStep() throws Exception {
        Path source = tftp.file("commons.bin", 700_000);
        Path got = downloads.resolve("commons.bin");
        TFTPClient client = new TFTPClient();
        client.setDefaultTimeout(Duration.ofSeconds(5));
        client.open();
        try (OutputStream out = Files.newOutputStream(got)) {
            client.receiveFile("commons.bin", TFTP.BINARY_MODE, out, tftp.address.getAddress(), tftp.port());
        } finally {
            client.close();
        }
        assertThat(TftpFixture.sha256(got)).isEqualTo(TftpFixture.sha256(source));
    }

    @Test
    void tftpHpaUploadIsRefusedAsReadOnly() throws Exception {
        Tools.require("tftp", "tftp-hpa");
        Path local = downloads.resolve("upload.bin");
        Files.write(local, new byte[] {1, 2, 3});
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("tftp", "-m", "binary", tftp.host(), Integer.toString(tftp.port()),
                "-c", "put", local.toString(), "upload.bin"));
        assertThat(run.output()).contains("Error code 2").contains("read-only");
        assertThat(tftp.root.resolve("upload.bin")).doesNotExist();
    }

    @Test
    void tftpHpaNetasciiIsRefusedWithAReason() throws Exception {
        Tools.require("tftp", "tftp-hpa");
        tftp.file("text.txt", 100);
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("tftp", "-m", "netascii", tftp.host(), Integer.toString(tftp.port()),
                "-c", "get", "text.txt", downloads.resolve("text.txt").toString()));
        assertThat(run.output()).contains("netascii is not supported").contains("octet");
    }

    @Test
    void hundredMebibytesRollBlockNumbersOverWithoutLoss() throws Exception {
        // 100 MiB in 1468-byte blocks is 71,430 blocks: the block number wraps past 65535 to 0.
        Path source = tftp.file("big.bin", 100L * 1024 * 1024);
        assertSameContent(atftp(source, "blksize 1468", "windowsize 16"), source, downloads.resolve("big.bin"));
        Path got = downloads.resolve("big-curl");
        assertSameContent(TftpFixture.run(LIMIT, List.of("curl", "-sS", "--tftp-blksize", "1468", "-o", got.toString(), url(source))),
                source, got);
        Files.delete(source);
    }

    @Test
    void emptyFileIsOneEmptyDataPacket() throws Exception {
        Path source = tftp.file("empty.bin", 0);
        assertSameContent(atftp(source, "blksize 1468"), source, downloads.resolve("empty.bin"));
        // curl 7.88 rejects "tsize 0" in any OACK (in.tftpd's too), so it fetches the empty file without options.
        Path got = downloads.resolve("empty-curl");
        assertSameContent(TftpFixture.run(LIMIT, List.of("curl", "-sS", "--tftp-no-options", "-o", got.toString(), url(source))),
                source, got);
    }

    @Test
    void exactMultipleOfBlockSizeEndsWithAnEmptyDataPacket() throws Exception {
        Path source = tftp.file("multiple.bin", 1468L * 300);
        assertSameContent(atftp(source, "blksize 1468", "windowsize 4"), source, downloads.resolve("multiple.bin"));
        Path got = downloads.resolve("multiple-curl");
        assertSameContent(TftpFixture.run(LIMIT, List.of("curl", "-sS", "--tftp-blksize", "1468", "-o", got.toString(), url(source))),
                source, got);
    }

    @Test
    void ipxeBinariesComeFromTheDebianPackageWhenNotInTheRoot() throws Exception {
        Path undionly = Tools.requireFile(LoaderFiles.DEBIAN_IPXE.resolve("undionly.kpxe"), "ipxe");
        Path got = downloads.resolve("undionly.kpxe");
        TftpFixture.Run run = TftpFixture.run(LIMIT, List.of("curl", "-sS", "--tftp-blksize", "1468", "-o", got.toString(),
                "tftp://" + tftp.host() + ":" + tftp.port() + "/undionly.kpxe"));
        assertSameContent(run, undionly, got);
    }

    private static TftpFixture.Run atftp(Path source, String... options) throws Exception {
        Tools.require("atftp", "atftp");
        List<String> command = new java.util.ArrayList<>(List.of("atftp", "-g", "-r", tftp.root.relativize(source).toString(),
                "-l", downloads.resolve(source.getFileName()).toString()));
        for (String option : options) {
            command.add("--option");
            command.add(option);
        }
        command.add(tftp.host());
        command.add(Integer.toString(tftp.port()));
        return TftpFixture.run(LIMIT, command);
    }

    private static String url(Path source) {
        return "tftp://" + tftp.host() + ":" + tftp.port() + "/" + tftp.root.relativize(source);
    }

    private static void assertSameContent(TftpFixture.Run run, Path source, Path got) throws IOException {
        assertThat(run.exit()).as("client exit status; output: %s", run.output()).isZero();
        assertThat(TftpFixture.sha256(got)).as("SHA-256 of %s", got).isEqualTo(TftpFixture.sha256(source));
        assertThat(Files.size(got)).isEqualTo(Files.size(source));
    }
}
