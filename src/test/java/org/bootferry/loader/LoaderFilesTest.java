package org.bootferry.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The names TFTP and HTTP loaders are asked for, made safe. That TFTP answers a refused name with
 * ERROR 2 (access violation) is tested on the wire: ServerProtocolTest.namesLeavingTheRootAreRefused.
 */
class LoaderFilesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "ipxe.efi, ipxe.efi",
        "/grub/grub.cfg-01-52-54-00-12-34-56, grub/grub.cfg-01-52-54-00-12-34-56",
        "//pxelinux.cfg//default, pxelinux.cfg/default",
        "./boot/./vmlinuz, boot/vmlinuz",
        "52-54-00-12-34-56/kernel, 52-54-00-12-34-56/kernel",
        "100%.txt, 100%.txt",
    })
    void namesBecomeRelativeToTheRoot(String requested, String normalised) throws Exception {
        assertThat(LoaderFiles.normalise(requested)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../etc/passwd", "a/../../b", "a/..", "..\\..\\boot.ini", "a\\b", "%2e%2e/x", "%2F", "a\u0000b",
        "a\nb", "a\u007fb", "/", "", ".", "./"})
    void unsafeNamesAreRefused(String requested) {
        assertThatThrownBy(() -> LoaderFiles.normalise(requested)).isInstanceOf(LoaderFiles.Refusal.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 4096})
    void overlongNamesAreRefused(int length) {
        assertThatThrownBy(() -> LoaderFiles.normalise("a".repeat(length))).isInstanceOf(LoaderFiles.Refusal.class)
                .hasMessageContaining("too long");
    }

    @Test
    void debiansMokManagerIsServedBesideAShimWhoseTreeHasNone(@TempDir Path tftpRoot) throws Exception {
        Path signed = Tools.requireFile(LoaderFiles.DEBIAN_SHIM_HELPERS.resolve("mmx64.efi.signed"),
                "shim-helpers-amd64-signed");
        Files.createDirectories(tftpRoot.resolve("debian-installer/amd64"));

        LoaderFiles files = LoaderFiles.withDebianIpxe(tftpRoot);
        assertThat(files.find("debian-installer/amd64/mmx64.efi")).contains(signed.toRealPath());
        assertThat(files.find("mmx64.efi")).contains(signed.toRealPath());
        assertThat(files.find("debian-installer/amd64/mmx64.efi.signed")).as("only MokManager's own names").isEmpty();
        assertThat(LoaderFiles.directory(tftpRoot).find("mmx64.efi")).as("the tftproot alone").isEmpty();

        Path own = Files.writeString(tftpRoot.resolve("debian-installer/amd64/mmx64.efi"), "the tree's own");
        assertThat(files.find("debian-installer/amd64/mmx64.efi")).as("the tree's own comes first")
                .contains(own.toRealPath());
    }

    @Test
    void printableNamesHideControlCharactersAndStayBounded() {
        assertThat(LoaderFiles.printable("a\u0000b\nc\u007f")).isEqualTo("a?b?c?");
        assertThat(LoaderFiles.printable("x".repeat(300))).isEqualTo("x".repeat(255) + "...");
    }
}
