package org.bootferry.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.bootferry.testing.Allocation;

/**
 * Jazzer on the kernel decoder, which reads the first bytes of any file a machine file or an image
 * names. Every input gets a format that can be put in words, never an exception, and memory follows
 * the input, never a field inside it: a gzip or zstd stream yields at most 4 KiB, whatever it claims.
 * The seeds are headers built from the layouts the decoder cites (bzImage, arm64 Image, EFI zboot,
 * ELF64, gzip and zstd of an Image header, the xz magic).
 */
class KernelDecoderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void everyHeadDecodesToAFormat(byte[] head) throws Exception {
        Allocation.bounded(head.length, 4, 1 << 20, () -> {
            KernelFormat format = KernelDecoder.decode(head);
            assertThat(format.describe()).isNotBlank();
            assertThat(format.content().isEmpty() || format.kind().compressed()).isTrue();
        });
    }
}
