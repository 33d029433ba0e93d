package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.image.Digest;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.ImageSettings;
import org.bootferry.image.Platform;
import org.bootferry.image.PullPolicy;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeRequest;
import org.bootferry.testing.Commands;
import org.bootferry.testing.Nginx;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bootferry pull --location URL}: an install tree prefetched, so that a Never machine boots it. */
class PullLocationTest {

    private static final Path NETBOOT = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");

    @TempDir
    Path tmp;

    @Test
    void pullLocationFillsTheCacheThatANeverMachineBootsFrom() throws Exception {
        Tools.requireFile(NETBOOT.resolve("linux"), "debian-installer-12-netboot-amd64");
        Path di = tmp.resolve("mirror/images/netboot/debian-installer/amd64");
        Files.createDirectories(di);
        Files.copy(NETBOOT.resolve("linux"), di.resolve("linux"));
        Files.copy(NETBOOT.resolve("initrd.gz"), di.resolve("initrd.gz"));
        try (Nginx nginx = Nginx.serve(tmp.resolve("mirror"), tmp.resolve("nginx"))) {
            URI tree = nginx.url().resolve("images/");
            Path cache = tmp.resolve("cache");

            Commands.Run run = Commands.bootferry("pull", "--location", tree.toString(), "--cache", cache.toString(),
                    "--config", tmp.resolve("none").toString());

            assertThat(run.exit()).as(run.err()).isZero();
            String kernelDigest = Digest.of(Files.readAllBytes(NETBOOT.resolve("linux"))).toString();
            assertThat(run.out()).contains(tree + " (linux/amd64)", "found by Debian netboot"
                    + " netboot/debian-installer/amd64, no SHA256SUMS", "kernel    netboot/debian-installer/amd64/linux",
                    kernelDigest + " (unverified: the tree publishes no checksum)");
            assertThat(run.err()).contains("kernel " + tree + "netboot/debian-installer/amd64/linux ...",
                    "initrd 32.0 MiB", "warning: " + tree + "netboot/debian-installer/amd64/initrd.gz is unverified");
            nginx.stop();
            try (ImageResolver server = new ImageResolver(ImageSettings.defaults(cache))) {
                TreeBootFiles never = server.trees().resolve(new TreeRequest(tree, PullPolicy.NEVER,
                        Platform.LINUX_AMD64), org.bootferry.image.TreeListener.NONE);
                assertThat(never.kernel().digest().toString()).isEqualTo(kernelDigest);
            }
        }
    }

    @Test
    void pullNamesAnImageOrALocationNotBothNorNeither() {
        assertThat(Commands.bootferry("pull").err()).contains("name an IMAGE or a --location URL (one of them)");
        Commands.Run both = Commands.bootferry("pull", "registry.lab/x:1", "--location", "http://m/os/");
        assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
        Commands.Run ftp = Commands.bootferry("pull", "--location", "ftp://m/os/", "--cache", tmp.toString());
        assertThat(ftp.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(ftp.err()).contains("--location: location 'ftp://m/os/' is not an http:// or https:// URL");
    }
}
