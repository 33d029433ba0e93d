package org.bootferry.kernel;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a kernel file is, as {@link KernelDecoder} read it from its first bytes.
 *
 * @param kind    the file's format
 * @param arch    the CPU it is built for, named as OCI platforms name it ({@code amd64}, {@code 386},
 *                {@code arm64}, {@code arm}, {@code riscv64}, …), a compressed file's that of its content;
 *                empty when the bytes don't say
 * @param efiStub the file is also a PE/COFF image for {@code arch} that a UEFI firmware's LoadImage
 *                takes: the kernel's EFI stub ({@code CONFIG_EFI_STUB}), through which iPXE's EFI build
 *                and GRUB on arm64 start it
 * @param detail  what the header says besides, for people: {@code boot protocol 2.15, xloadflags 0x7f}
 * @param content for a compressed file, the format of what its first bytes decompress to; empty when
 *                not compressed, or when they don't decompress to a format the decoder knows
 */
public record KernelFormat(Kind kind, Optional<String> arch, boolean efiStub, String detail,
        Optional<KernelFormat> content) {

    /** The formats {@link KernelDecoder} tells apart. */
    public enum Kind {
        /** x86 Linux boot protocol image (Documentation/arch/x86/boot.rst): what BIOS loaders boot. */
        BZIMAGE,
        /** arm64 kernel with the 64-byte Image header (Documentation/arch/arm64/booting.rst §4). */
        ARM64_IMAGE,
        /** A self-decompressing EFI application around a compressed kernel (CONFIG_EFI_ZBOOT). */
        EFI_ZBOOT,
        /** Some other PE/COFF EFI application. */
        EFI_APPLICATION,
        /** An ELF executable: a {@code vmlinux} as built, Cloud Hypervisor's direct boot (Virtink's convention). */
        ELF,
        /** An iPXE script ({@code #!ipxe}), which iPXE runs when it is handed one as its kernel. */
        IPXE_SCRIPT,
        GZIP,
        ZSTD,
        XZ,
        /** None of the above. */
        UNKNOWN;

        /** Compressed: the loader must decompress it before it can tell what it is. */
        public boolean compressed() {
            return this == GZIP || this == ZSTD || this == XZ;
        }
    }

    /** How the architectures read in a sentence; any other reads as its OCI name. */
    private static final Map<String, String> ARCH_NAMES = Map.of("amd64", "x86-64", "386", "32-bit x86",
            "arm64", "arm64", "arm", "32-bit arm");

    public KernelFormat {
        if (content.isPresent() && !kind.compressed()) {
            throw new IllegalArgumentException("only a compressed file has a content format: " + kind);
        }
    }

    /**
     * The format in words, e.g. {@code an x86-64 bzImage with an EFI stub (boot protocol 2.15, xloadflags
     * 0x7f)} or {@code a gzip-compressed arm64 Image with an EFI stub (little-endian, 4K pages)}.
     */
    public String describe() {
        String stub = efiStub ? " with an EFI stub" : " without an EFI stub";
        String what = switch (kind) {
            case BZIMAGE -> withArticle(archName().orElse("x86")) + " bzImage" + stub;
            case ARM64_IMAGE -> "an arm64 Image" + stub;
            case EFI_ZBOOT -> withArticle(archName().orElse("unknown-architecture")) + " EFI zboot image";
            case EFI_APPLICATION -> "an EFI application" + archName().map(a -> " for " + a).orElse("")
                    + " that is no Linux kernel image bootferry knows";
            case ELF -> "an ELF vmlinux" + archName().map(a -> " for " + a).orElse("");
            case IPXE_SCRIPT -> "an iPXE script";
            case GZIP, ZSTD, XZ -> "a " + kind.name().toLowerCase(Locale.ROOT) + "-compressed "
                    + content.map(c -> c.describe().replaceFirst("^an? ", "")).orElse("file");
            case UNKNOWN -> "not a kernel format bootferry knows";
        };
        return detail.isEmpty() || content.isPresent() ? what : what + " (" + detail + ")";
    }

    /** {@code x86-64}, {@code arm64}, …: the architecture as kernel people write it. */
    private Optional<String> archName() {
        return arch.map(a -> ARCH_NAMES.getOrDefault(a, a));
    }

    private static String withArticle(String word) {
        return ("aeiox".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }
}
