package org.bootferry.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.bootferry.e2e.BootArtifacts;
import org.bootferry.e2e.GuestArch;
import org.bootferry.e2e.Vmlinux;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoder on real kernels: Debian's amd64 {@code vmlinuz} (a bzImage with an EFI stub), its arm64
 * {@code vmlinuz} (an uncompressed Image with an EFI stub), the ELF {@code vmlinux} inside the amd64
 * bzImage, and the arm64 Image gzip- and zstd-compressed as {@code Image.gz} and {@code Image.zst}.
 * Headers no Debian package ships (EFI zboot, a stubless Image) are built byte by byte from the
 * layouts their sources give.
 */
class KernelDecoderTest {

    private static Path amd64;
    private static Path arm64;

    @BeforeAll
    static void debianKernels() {
        amd64 = BootArtifacts.debianKernel(GuestArch.AMD64).vmlinuz();
        arm64 = BootArtifacts.debianKernel(GuestArch.ARM64).vmlinuz();
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(KernelDecoder.HEAD_BYTES);
        }
    }

    private static byte[] head(byte[] file) {
        return Arrays.copyOf(file, Math.min(file.length, KernelDecoder.HEAD_BYTES));
    }

    @Test
    void debiansAmd64VmlinuzIsABzImageWithAnX8664EfiStub() throws IOException {
        KernelFormat f = KernelDecoder.decode(head(amd64));
        assertThat(f.kind()).isEqualTo(KernelFormat.Kind.BZIMAGE);
        assertThat(f.arch()).contains("amd64");
        assertThat(f.efiStub()).isTrue();
        // Debian 12's 6.1 kernels speak boot protocol 2.15 with xloadflags 0x7f (64-bit, above 4G,
        // EFI handover 32 and 64, kexec, 5-level paging).
        assertThat(f.detail()).matches("boot protocol 2\\.1[5-9], xloadflags 0x[0-9a-f]+");
        assertThat(f.describe()).startsWith("an x86-64 bzImage with an EFI stub (boot protocol 2.1");
    }

    @Test
    void debiansArm64VmlinuzIsAnUncompressedImageWithAnEfiStub() throws IOException {
        KernelFormat f = KernelDecoder.decode(head(arm64));
        assertThat(f).isEqualTo(new KernelFormat(KernelFormat.Kind.ARM64_IMAGE, Optional.of("arm64"), true,
                "little-endian, 4K pages", Optional.empty()));
        assertThat(f.describe()).isEqualTo("an arm64 Image with an EFI stub (little-endian, 4K pages)");
    }

    @Test
    void theVmlinuxInsideDebiansBzImageIsAnX8664Elf() throws IOException {
        KernelFormat f = KernelDecoder.decode(head(Vmlinux.inside(amd64)));
        assertThat(f).isEqualTo(new KernelFormat(KernelFormat.Kind.ELF, Optional.of("amd64"), false,
                "ELF64, little-endian", Optional.empty()));
        assertThat(f.describe()).isEqualTo("an ELF vmlinux for x86-64 (ELF64, little-endian)");
    }

    @Test
    void gzipAndZstdCompressedArm64ImagesAreDecodedInside() throws IOException {
        byte[] image = Files.readAllBytes(arm64);
        KernelFormat inside = KernelDecoder.decode(head(image));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz) {
            {
                def.setLevel(Deflater.BEST_SPEED); // the level changes nothing a loader reads
            }
        }) {
            out.write(image);
        }
        KernelFormat gzip = KernelDecoder.decode(head(gz.toByteArray()));
        assertThat(gzip).isEqualTo(new KernelFormat(KernelFormat.Kind.GZIP, Optional.of("arm64"), false,
                inside.detail(), Optional.of(inside)));
        assertThat(gzip.describe()).isEqualTo("a gzip-compressed arm64 Image with an EFI stub (little-endian, 4K pages)");

        KernelFormat zstd = KernelDecoder.decode(head(Zstd.compress(image, 1)));
        assertThat(zstd.kind()).isEqualTo(KernelFormat.Kind.ZSTD);
        assertThat(zstd.content()).contains(inside);
        assertThat(zstd.describe()).isEqualTo("a zstd-compressed arm64 Image with an EFI stub (little-endian, 4K pages)");
    }

    @Test
    void aCompressedFileWhoseContentIsNoKernelSaysWhatItDecompressesTo() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("070701 a cpio archive, as an initrd is".getBytes(StandardCharsets.US_ASCII));
        }
        KernelFormat f = KernelDecoder.decode(gz.toByteArray());
        assertThat(f.kind()).isEqualTo(KernelFormat.Kind.GZIP);
        assertThat(f.content()).isEmpty();
        assertThat(f.describe()).isEqualTo("a gzip-compressed file (decompresses to first bytes 30 37 30 37 30 31 20 61)");
        // A gzip header and nothing after it: the stream ends before any content.
        assertThat(KernelDecoder.decode(Arrays.copyOf(gz.toByteArray(), 10)).detail())
                .startsWith("its first bytes don't decompress: ");
    }

    @Test
    void xzIsNamedButNotLookedInto() {
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4};
        assertThat(KernelDecoder.decode(xz).describe()).isEqualTo("a xz-compressed file (not decompressed here)");
    }

    /**
     * The arm64 header without the EFI stub: {@code code0} a branch instruction instead of "MZ"
     * (booting.rst §4), as a kernel built without CONFIG_EFI_STUB has it.
     */
    @Test
    void anArm64ImageWithoutMzHasNoEfiStub() throws IOException {
        byte[] image = head(arm64);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x14000000); // b . + 0
        KernelFormat f = KernelDecoder.decode(image);
        assertThat(f.kind()).isEqualTo(KernelFormat.Kind.ARM64_IMAGE);
        assertThat(f.efiStub()).isFalse();
        assertThat(f.describe()).isEqualTo("an arm64 Image without an EFI stub (little-endian, 4K pages)");
    }

    /** drivers/firmware/efi/libstub/zboot-header.S: "MZ", "zimg", payload offset and size, the compression type at 24. */
    @Test
    void anEfiZbootImageNamesItsArchitectureAndCompression() {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 'M').put(1, (byte) 'Z').put(4, "zimg".getBytes(StandardCharsets.US_ASCII));
        b.putInt(8, 0x1000).putInt(12, 0x800000).put(24, "zstd\0".getBytes(StandardCharsets.US_ASCII));
        b.putInt(0x3c, 0x40).put(0x40, "PE\0\0".getBytes(StandardCharsets.US_ASCII)).putShort(0x44, (short) 0xaa64);
        KernelFormat f = KernelDecoder.decode(b.array());
        assertThat(f).isEqualTo(new KernelFormat(KernelFormat.Kind.EFI_ZBOOT, Optional.of("arm64"), true,
                "zstd payload", Optional.empty()));
        assertThat(f.describe()).isEqualTo("an arm64 EFI zboot image (zstd payload)");
    }

    @Test
    void bytesOfNoKnownFormatAreUnknownWithTheirFirstBytes() {
        assertThat(KernelDecoder.decode("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.US_ASCII)).describe())
                .isEqualTo("not a kernel format bootferry knows (first bytes 23 21 2f 62 69 6e 2f 73)");
        assertThat(KernelDecoder.decode(new byte[0]).describe())
                .isEqualTo("not a kernel format bootferry knows (the file is empty)");
        assertThat(KernelDecoder.decode(new byte[] {'M', 'Z', 0, 0}).describe())
                .isEqualTo("not a kernel format bootferry knows (\"MZ\" without a PE/COFF header; first bytes 4d 5a 00 00)");
    }

    /** Every prefix of a real bzImage decodes to something, never an exception: the header fields are bounds-checked. */
    @Test
    void everyTruncationOfARealHeaderGetsAnAnswer() throws IOException {
        byte[] image = head(amd64);
        for (int length = 0; length <= 0x300; length++) {
            assertThat(KernelDecoder.decode(Arrays.copyOf(image, length))).isNotNull();
        }
        // Past the PE header the EFI stub is seen; before "HdrS" is complete it is an EFI application at best.
        assertThat(KernelDecoder.decode(Arrays.copyOf(image, 0x100)).kind()).isEqualTo(KernelFormat.Kind.EFI_APPLICATION);
        assertThat(KernelDecoder.decode(Arrays.copyOf(image, 0x240)).kind()).isEqualTo(KernelFormat.Kind.BZIMAGE);
    }
}
