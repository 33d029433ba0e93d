package org.bootferry.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
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
    void printableNamesHideControlCharactersAndStayBounded() {
        assertThat(LoaderFiles.printable("a\u0000b\nc\u007f")).isEqualTo("a?b?c?");
        assertThat(LoaderFiles.printable("x".repeat(300))).isEqualTo("x".repeat(255) + "...");
    }
}
