package org.bootferry.boot;

import java.util.Optional;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;

/**
 * Whether a firmware's stock loaders boot a kernel of a given format. bootferry hands the kernel to
 * iPXE ({@code kernel}), GRUB ({@code linux}) or pxelinux ({@code KERNEL}); what they start, from
 * their sources:
 * <ul>
 * <li>BIOS: all three run the x86 boot protocol, so they need a bzImage (Documentation/arch/x86/boot.rst).
 *     iPXE's PCBIOS build also has an ELF image type, but only for ELF32 with flat physical addressing
 *     ({@code src/arch/x86/image/elfboot.c}), which no Linux vmlinux has (it is linked at virtual addresses).</li>
 * <li>UEFI: iPXE's EFI build starts every kernel through the firmware's LoadImage
 *     ({@code src/image/efi_image.c}): a PE/COFF image for the firmware's CPU, that is the kernel's EFI
 *     stub. GRUB on x86_64-efi falls back to the boot protocol for a bzImage without one
 *     ({@code grub-core/loader/efi/linux.c}, {@code grub_cmd_linux_x86_legacy}); on arm64 it needs the
 *     stub ("plain image kernel not supported"), and GRUB 2.06 ({@code loader/arm64/linux.c}) also
 *     checks the Image header's magic, so it refuses EFI zboot, which GRUB 2.12 starts through LoadImage.</li>
 * <li>Compressed kernels: GRUB decompresses gzip, xz and lzop while it reads any file (its file filters,
 *     {@code grub-core/io/gzio.c} and siblings; no zstd); iPXE's arm64 EFI build gunzips
 *     ({@code IMAGE_GZIP} in {@code src/config/defaults/efi.h}, {@code src/image/gzip.c}, since 2021) and
 *     nothing else; pxelinux nothing. Debian's own arm64 kernel is an uncompressed Image.</li>
 * </ul>
 * An ELF vmlinux is what Cloud Hypervisor boots directly (Virtink's {@code /vmlinux} convention): no
 * PXE chain starts one.
 */
final class KernelPairing {

    /** How a firmware's loaders take a kernel. */
    enum Level {
        /** Every stock loader of the firmware boots it. */
        BOOTS,
        /** Some loaders do, or nobody knows: worth a warning, not a refusal. */
        WARNING,
        /** No stock loader of the firmware boots it: the machine would stop or hang there. */
        ERROR
    }

    /** @param reason why, and for an error what the firmware needs instead; empty when it boots */
    record Verdict(Level level, String reason) {
    }

    private static final String ANY_CHAIN = "PXE chains need a bzImage (x86-64) or an EFI-stub Image (arm64)";

    private KernelPairing() {
    }

    static Verdict judge(KernelFormat format, Firmware firmware) {
        String family = family(firmware);
        if (format.kind() == KernelFormat.Kind.ELF) {
            return new Verdict(Level.ERROR, "Cloud Hypervisor boots that directly (Virtink's convention), no PXE chain"
                    + " does; " + ANY_CHAIN);
        }
        if (format.kind() == KernelFormat.Kind.IPXE_SCRIPT) {
            // iPXE runs a script it is handed as its kernel (src/image/script.c); every firmware's
            // default loader is iPXE. A machine of its own pxelinux or GRUB loader is not told so.
            return boots();
        }
        if (format.kind() == KernelFormat.Kind.UNKNOWN) {
            return new Verdict(Level.WARNING, "no stock loader is known to boot it, and a machine may hang once its"
                    + " loader starts it");
        }
        if (format.arch().isPresent() && !family.equals(family(format.arch().get()))) {
            return new Verdict(Level.ERROR, family + " machines can't run it; they need " + need(family));
        }
        return switch (format.kind()) {
            // An x86-64 stub on 32-bit UEFI counts as booting: such kernels carry the 32-bit EFI
            // handover too ("mixed mode", XLF_EFI_HANDOVER_32), and those machines are rare.
            case BZIMAGE -> !firmware.uefi() || format.efiStub() ? boots() : new Verdict(Level.WARNING,
                    "iPXE's EFI build starts a kernel only through its EFI stub (GRUB boots it through the boot"
                    + " protocol)");
            case ARM64_IMAGE -> format.efiStub() ? boots() : new Verdict(Level.ERROR, "GRUB and iPXE start an arm64"
                    + " kernel only through its EFI stub; they need " + need(family) + " (CONFIG_EFI_STUB=y)");
            case EFI_ZBOOT, EFI_APPLICATION -> !firmware.uefi()
                    ? new Verdict(Level.ERROR, "BIOS machines run no EFI application; they need " + need(family))
                    : new Verdict(Level.WARNING, "iPXE and GRUB 2.12 start it through the firmware's LoadImage;"
                    + " GRUB before 2.12 wants a Linux kernel header (bzImage, arm64 Image) and refuses it");
            case GZIP, XZ, ZSTD -> compressed(format, firmware, family);
            case ELF, IPXE_SCRIPT, UNKNOWN -> throw new IllegalStateException("judged above: " + format.kind());
        };
    }

    /** GRUB's filters decompress gzip and xz on every platform; iPXE gunzips on arm64 only; zstd nobody. */
    private static Verdict compressed(KernelFormat format, Firmware firmware, String family) {
        if (format.kind() == KernelFormat.Kind.ZSTD) {
            return new Verdict(Level.ERROR, "neither GRUB nor iPXE decompresses zstd; they need " + need(family));
        }
        Optional<Verdict> inside = format.content().map(c -> judge(c, firmware));
        if (inside.isPresent() && (inside.get().level() == Level.ERROR
                || family.equals("arm64") && format.kind() == KernelFormat.Kind.GZIP)) {
            return inside.get();
        }
        String who = !family.equals("arm64") ? "only GRUB decompresses a kernel for " + family
                + " machines (iPXE and pxelinux start it as it is)"
                : format.kind() == KernelFormat.Kind.XZ ? "only GRUB decompresses xz (iPXE gunzips, nothing else)"
                : "GRUB and iPXE gunzip it";
        return new Verdict(Level.WARNING, inside.isPresent() ? who : who + ", but bootferry can't see what is inside");
    }

    private static Verdict boots() {
        return new Verdict(Level.BOOTS, "");
    }

    /** What a firmware of {@code family} needs, e.g. {@code a bzImage (x86-64)}. */
    private static String need(String family) {
        return switch (family) {
            case "x86" -> "a bzImage (x86-64)";
            case "arm64" -> "an EFI-stub Image (arm64)";
            case "arm" -> "an EFI-stub zImage (arm)";
            default -> "a kernel for " + family;
        };
    }

    private static String family(Firmware firmware) {
        return family(firmware.arch().ociName());
    }

    /** The CPU family of an OCI architecture name: a 32-bit x86 kernel boots on x86-64 too. */
    private static String family(String ociArch) {
        return ociArch.equals("amd64") || ociArch.equals("386") ? "x86" : ociArch;
    }

    /**
     * The sentence an admin reads, e.g. {@code the image's /vmlinux (reg/virtink:1, linux/amd64) is an
     * ELF vmlinux for x86-64 (ELF64, little-endian): …; PXE chains need …: put /boot/vmlinuz from the
     * distribution's kernel package in the image}.
     *
     * @param name   the kernel as the admin knows it
     * @param kernel the kernel of a plan, whose kind (local file or image) says what to do instead
     */
    static String message(String name, BootFile kernel, KernelFormat format, Verdict verdict) {
        String said = name + " is " + format.describe() + ": " + verdict.reason();
        if (verdict.level() != Level.ERROR) {
            return said;
        }
        return said + ": " + (kernel instanceof ImageBootFile
                ? "put /boot/vmlinuz from the distribution's kernel package in the image"
                : "point kernelBoot.files.kernel at the distribution's /boot/vmlinuz-<version>");
    }

    /**
     * The verdict on a plan's kernel when its format is known, as the sentence of {@link #message}; none
     * for a machine that boots its loader's own menu.
     */
    static Optional<Problem> problem(BootPlan plan) {
        if (plan.kernel().isEmpty()) {
            return Optional.empty();
        }
        BootFile kernel = plan.kernel().get();
        return kernel.knownFormat().flatMap(format -> {
            Verdict verdict = judge(format, plan.machine().firmware());
            String name = kernel instanceof ImageBootFile image ? image.inImage() : "kernel " + kernel.source();
            return verdict.level() == Level.BOOTS ? Optional.empty()
                    : Optional.of(new Problem(verdict.level() == Level.ERROR, message(name, kernel, format, verdict)));
        });
    }

    /** A kernel some of the firmware's loaders, or none ({@code fatal}), boot. */
    record Problem(boolean fatal, String message) {
    }

    /** Whether the kernel is built for the firmware's CPU family, as far as its format says. */
    static boolean builtFor(KernelFormat format, Firmware firmware) {
        return format.arch().map(a -> family(a).equals(family(firmware))).orElse(true);
    }
}
