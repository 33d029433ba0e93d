package org.bootferry.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;

/**
 * Loaders as Debian ships them, laid out in a tftproot the way an admin copies them there, unmodified:
 * syslinux's pxelinux.0 with its modules (packages {@code pxelinux}, {@code syslinux-common}), its
 * x86-64 UEFI build syslinux.efi ({@code syslinux-efi}), which reads the same pxelinux.cfg/, a
 * {@code grub-mknetdir} tree of Debian's x86_64-efi GRUB ({@code grub-efi-amd64-bin}), and Debian's
 * shim, signed by Microsoft ({@code shim-signed}).
 */
final class StockLoaders {

    private static final Path PXELINUX = Path.of("/usr/lib/PXELINUX/pxelinux.0");
    private static final Path BIOS_MODULES = Path.of("/usr/lib/syslinux/modules/bios");
    /** ldlinux.c32 is pxelinux's second half; menu.c32 needs libutil and libcom32, fetched like it. */
    private static final List<String> MODULES = List.of("ldlinux.c32", "menu.c32", "libutil.c32", "libcom32.c32");
    private static final Path SYSLINUX_EFI = Path.of("/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi");
    private static final Path LDLINUX_E64 = Path.of("/usr/lib/syslinux/modules/efi64/ldlinux.e64");
    private static final Path GRUB_X64 = Path.of("/usr/lib/grub/x86_64-efi");
    private static final Path SHIM = Path.of("/usr/lib/shim/shimx64.efi.signed");

    private StockLoaders() {
    }

    /**
     * Copies pxelinux.0 and the modules it loads into {@code dir} (relative to the tftproot), where
     * pxelinux fetches them relative to itself.
     *
     * @return the loader's name in the tftproot, e.g. {@code debian-installer/amd64/pxelinux.0}
     */
    static String pxelinux(Path tftpRoot, String dir) {
        Tools.requireFile(PXELINUX, "pxelinux");
        Tools.requireFile(BIOS_MODULES.resolve("ldlinux.c32"), "syslinux-common");
        copy(Stream.concat(Stream.of(PXELINUX), MODULES.stream().map(BIOS_MODULES::resolve))
                .toList(), tftpRoot.resolve(dir));
        return dir + "/pxelinux.0";
    }

    /**
     * Copies syslinux.efi and ldlinux.e64, its second half, into {@code dir}.
     *
     * @return the loader's name in the tftproot
     */
    static String syslinuxEfi(Path tftpRoot, String dir) {
        Tools.requireFile(SYSLINUX_EFI, "syslinux-efi");
        Tools.requireFile(LDLINUX_E64, "syslinux-common");
        copy(List.of(SYSLINUX_EFI, LDLINUX_E64), tftpRoot.resolve(dir));
        return dir + "/syslinux.efi";
    }

    private static void copy(List<Path> files, Path dir) {
        try {
            Files.createDirectories(dir);
            for (Path file : files) {
                Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Debian's signed shim in {@code dir} as {@code shimx64.efi}, with {@code grub} beside it as the
     * {@code grubx64.efi} shim fetches next.
     *
     * @return the loader's name in the tftproot
     */
    static String shim(Path tftpRoot, String dir, Path grub) {
        Tools.requireFile(SHIM, "shim-signed");
        try {
            Path target = Files.createDirectories(tftpRoot.resolve(dir));
            Files.copy(SHIM, target.resolve("shimx64.efi"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(grub, target.resolve("grubx64.efi"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir + "/shimx64.efi";
    }

    /**
     * Runs {@code grub-mknetdir} into the tftproot as its manual page says: GRUB's EFI image, its
     * modules and its fonts under {@code boot/grub/}, with prefix {@code /boot/grub} on the server
     * that GRUB takes from the DHCP answer.
     *
     * @return the loader's name in the tftproot: {@code boot/grub/x86_64-efi/core.efi}
     */
    static String grubNetdir(Path tftpRoot) {
        Tools.require("grub-mknetdir", "grub-common");
        Tools.requireFile(GRUB_X64.resolve("normal.mod"), "grub-efi-amd64-bin");
        Processes.check("grub-mknetdir", "--net-directory=" + tftpRoot, "--subdir=/boot/grub", "-d", GRUB_X64.toString());
        return "boot/grub/x86_64-efi/core.efi";
    }
}
