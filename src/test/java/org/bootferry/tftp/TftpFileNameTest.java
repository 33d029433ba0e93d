package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TftpFileNameTest {

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
        assertThat(TftpFileName.normalise(requested)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../etc/passwd", "a/../../b", "a/..", "..\\..\\boot.ini", "a\\b", "%2e%2e/x", "%2F", "a\u0000b",
        "a\nb", "a\u007fb", "/", "", ".", "./"})
    void unsafeNamesAreRefusedAsAccessViolations(String requested) {
        assertThatThrownBy(() -> TftpFileName.normalise(requested))
                .isInstanceOfSatisfying(TftpRefusal.class, r -> assertThat(r.error()).isEqualTo(TftpError.ACCESS_VIOLATION));
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 4096})
    void overlongNamesAreRefused(int length) {
        assertThatThrownBy(() -> TftpFileName.normalise("a".repeat(length))).hasMessageContaining("too long");
    }
}
