package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.bootferry.boot.KernelPairing.Level;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.kernel.KernelFormat.Kind;
import org.bootferry.machine.Firmware;
import org.junit.jupiter.api.Test;

/**
 * Each kernel format against each firmware, as {@link org.bootferry.kernel.KernelDecoder} reports
 * them (the decoder's own test reads them off real kernels).
 */
class KernelPairingTest {

    private static final Set<Firmware> X86_64 = EnumSet.of(Firmware.BIOS, Firmware.EFI_X64, Firmware.HTTP_X64);
    private static final Set<Firmware> ARM64 = EnumSet.of(Firmware.EFI_ARM64, Firmware.HTTP_ARM64);

    private static final KernelFormat BZIMAGE = new KernelFormat(Kind.BZIMAGE, Optional.of("amd64"), true,
            "boot protocol 2.15, xloadflags 0x7f", Optional.empty());
    private static final KernelFormat ARM64_IMAGE = new KernelFormat(Kind.ARM64_IMAGE, Optional.of("arm64"), true,
            "little-endian, 4K pages", Optional.empty());
    private static final KernelFormat ELF = new KernelFormat(Kind.ELF, Optional.of("amd64"), false,
            "ELF64, little-endian", Optional.empty());

    private static Level level(KernelFormat format, Firmware firmware) {
        return KernelPairing.judge(format, firmware).level();
    }

    private static KernelFormat compressed(Kind kind, KernelFormat content) {
        return new KernelFormat(kind, content.arch(), false, content.detail(), Optional.of(content));
    }

    @Test
    void anElfVmlinuxBootsOnNoFirmwareAndTheReasonSaysWhatPxeChainsNeed() {
        for (Firmware firmware : Firmware.values()) {
            KernelPairing.Verdict verdict = KernelPairing.judge(ELF, firmware);
            assertThat(verdict.level()).as(firmware.id()).isEqualTo(Level.ERROR);
            assertThat(verdict.reason()).isEqualTo("Cloud Hypervisor boots that directly (Virtink's convention), no PXE"
                    + " chain does; PXE chains need a bzImage (x86-64) or an EFI-stub Image (arm64)");
        }
    }

    @Test
    void anX86BzImageWithItsEfiStubBootsOnX86AndOnNoArm() {
        X86_64.forEach(f -> assertThat(level(BZIMAGE, f)).as(f.id()).isEqualTo(Level.BOOTS));
        for (Firmware f : ARM64) {
            assertThat(KernelPairing.judge(BZIMAGE, f)).isEqualTo(new KernelPairing.Verdict(Level.ERROR,
                    "arm64 machines can't run it; they need an EFI-stub Image (arm64)"));
        }
    }

    /** iPXE's EFI build starts kernels only through LoadImage; GRUB would use the boot protocol. */
    @Test
    void aBzImageWithoutAnEfiStubBootsOnBiosAndIsAWarningOnUefi() {
        KernelFormat old = new KernelFormat(Kind.BZIMAGE, Optional.of("amd64"), false, "boot protocol 2.10",
                Optional.empty());
        assertThat(level(old, Firmware.BIOS)).isEqualTo(Level.BOOTS);
        assertThat(KernelPairing.judge(old, Firmware.EFI_X64)).isEqualTo(new KernelPairing.Verdict(Level.WARNING,
                "iPXE's EFI build starts a kernel only through its EFI stub (GRUB boots it through the boot protocol)"));
    }

    @Test
    void anArm64ImageBootsOnArm64AndOnNoX86() {
        ARM64.forEach(f -> assertThat(level(ARM64_IMAGE, f)).as(f.id()).isEqualTo(Level.BOOTS));
        for (Firmware f : X86_64) {
            assertThat(KernelPairing.judge(ARM64_IMAGE, f)).isEqualTo(new KernelPairing.Verdict(Level.ERROR,
                    "x86 machines can't run it; they need a bzImage (x86-64)"));
        }
    }

    @Test
    void anArm64ImageWithoutItsEfiStubBootsNowhere() {
        KernelFormat plain = new KernelFormat(Kind.ARM64_IMAGE, Optional.of("arm64"), false, "", Optional.empty());
        assertThat(KernelPairing.judge(plain, Firmware.EFI_ARM64)).isEqualTo(new KernelPairing.Verdict(Level.ERROR,
                "GRUB and iPXE start an arm64 kernel only through its EFI stub; they need an EFI-stub Image (arm64)"
                        + " (CONFIG_EFI_STUB=y)"));
    }

    /** GRUB's gzio filter and iPXE's IMAGE_GZIP (arm64 EFI) both gunzip; neither reads zstd; only GRUB xz. */
    @Test
    void compressedArm64ImagesBootAsGzipWarnAsXzAndFailAsZstd() {
        assertThat(level(compressed(Kind.GZIP, ARM64_IMAGE), Firmware.EFI_ARM64)).isEqualTo(Level.BOOTS);
        assertThat(KernelPairing.judge(compressed(Kind.ZSTD, ARM64_IMAGE), Firmware.EFI_ARM64)).isEqualTo(
                new KernelPairing.Verdict(Level.ERROR, "neither GRUB nor iPXE decompresses zstd; they need an EFI-stub"
                        + " Image (arm64)"));
        KernelFormat xz = new KernelFormat(Kind.XZ, Optional.empty(), false, "not decompressed here", Optional.empty());
        assertThat(KernelPairing.judge(xz, Firmware.EFI_ARM64)).isEqualTo(new KernelPairing.Verdict(Level.WARNING,
                "only GRUB decompresses xz (iPXE gunzips, nothing else), but bootferry can't see what is inside"));
        // What is inside still decides the architecture.
        assertThat(level(compressed(Kind.GZIP, ARM64_IMAGE), Firmware.BIOS)).isEqualTo(Level.ERROR);
    }

    @Test
    void aGzippedBzImageIsAWarningOnX86WhereOnlyGrubDecompresses() {
        assertThat(KernelPairing.judge(compressed(Kind.GZIP, BZIMAGE), Firmware.BIOS)).isEqualTo(
                new KernelPairing.Verdict(Level.WARNING, "only GRUB decompresses a kernel for x86 machines (iPXE and"
                        + " pxelinux start it as it is)"));
    }

    /** GRUB 2.06's arm64 loader checks the Image magic; iPXE and GRUB 2.12 hand it to LoadImage. */
    @Test
    void efiZbootIsAWarningOnArm64AndAnErrorElsewhere() {
        KernelFormat zboot = new KernelFormat(Kind.EFI_ZBOOT, Optional.of("arm64"), true, "gzip payload",
                Optional.empty());
        ARM64.forEach(f -> assertThat(level(zboot, f)).as(f.id()).isEqualTo(Level.WARNING));
        X86_64.forEach(f -> assertThat(level(zboot, f)).as(f.id()).isEqualTo(Level.ERROR));
    }

    @Test
    void anUnknownFormatIsAWarningEverywhere() {
        KernelFormat unknown = new KernelFormat(Kind.UNKNOWN, Optional.empty(), false, "first bytes 00 01",
                Optional.empty());
        for (Firmware firmware : Firmware.values()) {
            assertThat(level(unknown, firmware)).as(firmware.id()).isEqualTo(Level.WARNING);
        }
    }
}
