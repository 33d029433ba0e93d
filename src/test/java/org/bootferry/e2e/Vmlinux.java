package org.bootferry.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;

/**
 * The ELF {@code vmlinux} inside a bzImage (Debian's amd64 kernel, say): what a Virtink kernel image
 * carries (Cloud Hypervisor boots it directly), made from a real kernel. Found as the kernel's own
 * {@code scripts/extract-vmlinux} finds it: try every place a compressed stream's magic occurs,
 * decompress from there, keep the first output that is ELF. Cached beside the kernel it came from.
 */
public final class Vmlinux {

    /** The compressors Debian's kernels use (xz for 6.1; zstd and gzip for others), with their magic. */
    private record Compressor(String tool, String debianPackage, byte[] magic) {
    }

    private static final List<Compressor> COMPRESSORS = List.of(
            new Compressor("xz", "xz-utils", new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}),
            new Compressor("zstd", "zstd", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
            new Compressor("gzip", "gzip", new byte[] {0x1f, (byte) 0x8b, 0x08}));

    private Vmlinux() {
    }

    /**
     * The vmlinux of {@code vmlinuz-<version>} (for Debian's 6.1 about 65 MB), extracted once into
     * {@code vmlinux-<version>} beside it.
     */
    public static synchronized Path inside(Path vmlinuz) {
        Path vmlinux = vmlinuz.resolveSibling(vmlinuz.getFileName().toString().replaceFirst("^vmlinuz-", "vmlinux-"));
        if (!Files.exists(vmlinux)) {
            extract(vmlinuz, vmlinux);
        }
        return vmlinux;
    }

    private static void extract(Path bzImage, Path target) {
        try {
            byte[] image = Files.readAllBytes(bzImage);
            Path out = target.resolveSibling(target.getFileName() + ".tmp");
            for (Compressor c : COMPRESSORS) {
                Tools.require(c.tool(), c.debianPackage());
                for (int at = indexOf(image, c.magic(), 0); at >= 0; at = indexOf(image, c.magic(), at + 1)) {
                    // Like extract-vmlinux: the stream's end is unknown, so trailing bytes make the tool
                    // complain; what counts is whether the output is ELF.
                    Processes.run(List.of("sh", "-c", "tail -c +\"$1\" \"$2\" | \"$3\" -dc > \"$4\" 2>/dev/null", "sh",
                            String.valueOf(at + 1), bzImage.toString(), c.tool(), out.toString()), 120);
                    if (isElf(out)) {
                        Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
                        return;
                    }
                }
            }
            Files.deleteIfExists(out);
            throw new AssertionError("no compressed ELF vmlinux found in " + bzImage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isElf(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) < 4) {
            return false;
        }
        try (var in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
