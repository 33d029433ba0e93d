package org.bootferry.kernel;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Tells a kernel's format from its first bytes: pure, bytes in, {@link KernelFormat} out. Every input
 * gets an answer; bytes that are none of the known formats are {@link KernelFormat.Kind#UNKNOWN},
 * never an exception.
 */
public final class KernelDecoder {

    /**
     * How many leading bytes decide: the headers sit in the first KiB, but a compressed file must
     * yield its content's headers, and a zstd frame's first block (up to 128 KiB of output) only
     * decompresses whole.
     */
    public static final int HEAD_BYTES = 256 * 1024;

    /** How much of a compressed file's content is decompressed to tell its format. */
    private static final int CONTENT_BYTES = 4096;

    /** {@code "HdrS"} at 0x202: boot.rst, "The Real-Mode Kernel Header" (protocol 2.00 and later). */
    private static final int HDRS = 0x53726448;
    /** {@code "ARM\x64"} at 0x38: arm64/booting.rst, §4 "Call the kernel image". */
    private static final int ARM64_MAGIC = 0x644d5241;
    /** PE/COFF "Machine Types" (Microsoft PE format specification, COFF File Header). */
    private static final Map<Integer, String> PE_MACHINES = Map.of(0x8664, "amd64", 0x14c, "386", 0xaa64, "arm64",
            0x1c2, "arm", 0x1c4, "arm", 0x5064, "riscv64", 0x6264, "loong64");
    /** ELF {@code e_machine} values (System V ABI, "ELF Header"; the EM_ constants of Linux's elf-em.h). */
    private static final Map<Integer, String> ELF_MACHINES = Map.of(62, "amd64", 3, "386", 183, "arm64", 40, "arm",
            243, "riscv64", 258, "loong64", 22, "s390x", 21, "ppc64", 8, "mips");

    private KernelDecoder() {
    }

    /** @param head the file's first bytes: {@link #HEAD_BYTES}, or the whole file when it is shorter */
    public static KernelFormat decode(byte[] head) {
        KernelFormat format = decodeHeader(head);
        return format != null ? format : compressedOrUnknown(head);
    }

    /** An uncompressed kernel or executable format; null when the bytes are none. */
    private static KernelFormat decodeHeader(byte[] b) {
        if (u32(b, 0x202) == HDRS) {
            return bzImage(b);
        }
        if (u32(b, 0x38) == ARM64_MAGIC) {
            return arm64Image(b);
        }
        if (u16(b, 0) == 0x5a4d) { // "MZ"
            return efiApplication(b);
        }
        if (u32(b, 0) == 0x464c457f) { // "\x7fELF"
            return elf(b);
        }
        if (ipxeScript(b)) {
            return format(KernelFormat.Kind.IPXE_SCRIPT, Optional.empty(), false, "");
        }
        return null;
    }

    /**
     * boot.rst, "The Real-Mode Kernel Header": the protocol version at 0x206, loadflags at 0x211
     * (bit 0 LOADED_HIGH: a bzImage, else an old zImage), and from 2.12 xloadflags at 0x236 (bit 0
     * XLF_KERNEL_64: a 64-bit kernel). A kernel built with CONFIG_EFI_STUB also starts with "MZ" and
     * carries a PE/COFF header (arch/x86/boot/header.S), which the header layout leaves room for.
     */
    private static KernelFormat bzImage(byte[] b) {
        int version = u16(b, 0x206);
        StringBuilder detail = new StringBuilder("boot protocol ").append(version >> 8).append('.').append(version & 0xff);
        Optional<String> arch = peMachine(b);
        if (version >= 0x20c && b.length >= 0x238) {
            int xloadflags = u16(b, 0x236);
            detail.append(", xloadflags 0x").append(Integer.toHexString(xloadflags));
            arch = arch.or(() -> Optional.of((xloadflags & 1) != 0 ? "amd64" : "386"));
        }
        if (b.length > 0x211 && (b[0x211] & 1) == 0) {
            detail.append(", a zImage (not loaded high)");
        }
        return format(KernelFormat.Kind.BZIMAGE, arch, peMachine(b).isPresent(), detail.toString());
    }

    /**
     * arm64/booting.rst §4: a 64-byte header, {@code image_size} at 0x10 and {@code flags} at 0x18
     * (bit 0 big-endian, bits 1-2 page size), both 0 before v3.17. With the EFI stub, {@code code0}
     * starts with "MZ" and {@code res5} at 0x3c is the offset of the PE/COFF header.
     */
    private static KernelFormat arm64Image(byte[] b) {
        String detail = "";
        if (u32(b, 0x10) != 0 || u32(b, 0x14) != 0) {
            int flags = u32(b, 0x18);
            String[] pages = {"page size unspecified", "4K pages", "16K pages", "64K pages"};
            detail = ((flags & 1) != 0 ? "big-endian" : "little-endian") + ", " + pages[(flags >> 1) & 3];
        }
        boolean stub = u16(b, 0) == 0x5a4d && peMachine(b).equals(Optional.of("arm64"));
        return format(KernelFormat.Kind.ARM64_IMAGE, Optional.of("arm64"), stub, detail);
    }

    /**
     * "MZ" without a kernel header: EFI zboot when "zimg" follows at 4 (the compression type, a
     * NUL-terminated string, at 24: drivers/firmware/efi/libstub/zboot-header.S), else some PE/COFF
     * application; with no PE header at all, not a format we know.
     */
    private static KernelFormat efiApplication(byte[] b) {
        Optional<String> arch = peMachine(b);
        if (u32(b, 4) == 0x676d697a && arch.isPresent()) { // "zimg"
            int end = 24;
            while (end < Math.min(b.length, 0x38) && b[end] != 0) {
                end++;
            }
            String compression = new String(b, 24, Math.max(0, end - 24), StandardCharsets.US_ASCII);
            return format(KernelFormat.Kind.EFI_ZBOOT, arch, true, compression + " payload");
        }
        if (peOffset(b) >= 0) {
            return format(KernelFormat.Kind.EFI_APPLICATION, arch, arch.isPresent(),
                    "PE/COFF machine 0x" + Integer.toHexString(u16(b, peOffset(b) + 4)));
        }
        return unknown(b, "\"MZ\" without a PE/COFF header");
    }

    /**
     * iPXE's own test (src/image/script.c, script_probe): {@code #!ipxe} or {@code #!gpxe}, then
     * white space.
     */
    private static boolean ipxeScript(byte[] b) {
        if (b.length < 7) {
            return false;
        }
        String magic = new String(b, 0, 6, StandardCharsets.US_ASCII);
        return (magic.equals("#!ipxe") || magic.equals("#!gpxe")) && Character.isWhitespace(b[6]);
    }

    /** System V ABI, "ELF Header": {@code e_ident} class and data at 4 and 5, {@code e_machine} at 0x12. */
    private static KernelFormat elf(byte[] b) {
        int elfClass = b.length > 4 ? b[4] : 0;
        boolean bigEndian = b.length > 5 && b[5] == 2;
        int machine = b.length < 0x14 ? -1 : bigEndian ? (b[0x12] & 0xff) << 8 | b[0x13] & 0xff : u16(b, 0x12);
        Optional<String> arch = Optional.ofNullable(ELF_MACHINES.get(machine));
        String detail = (elfClass == 2 ? "ELF64" : elfClass == 1 ? "ELF32" : "ELF class " + elfClass)
                + (bigEndian ? ", big-endian" : ", little-endian") + (arch.isEmpty() ? ", e_machine " + machine : "");
        return format(KernelFormat.Kind.ELF, arch, false, detail);
    }

    /**
     * gzip (RFC 1952 §2.3.1: 1f 8b), zstd (RFC 8878 §3.1.1: 28 b5 2f fd) and xz (.xz file format
     * §2.1.1.1: fd 37 7a 58 5a 00). gzip and zstd are decompressed far enough to tell the content;
     * xz is only named (no decoder here), and nothing nested is looked into.
     */
    private static KernelFormat compressedOrUnknown(byte[] b) {
        if (u16(b, 0) == 0x8b1f) {
            return compressed(KernelFormat.Kind.GZIP, b);
        }
        if (u32(b, 0) == 0xfd2fb528) {
            return compressed(KernelFormat.Kind.ZSTD, b);
        }
        if (b.length >= 6 && u32(b, 0) == 0x587a37fd && u16(b, 4) == 0x005a) {
            return format(KernelFormat.Kind.XZ, Optional.empty(), false, "not decompressed here");
        }
        return unknown(b, "");
    }

    private static KernelFormat compressed(KernelFormat.Kind kind, byte[] b) {
        byte[] content;
        try (InputStream in = kind == KernelFormat.Kind.GZIP ? new GZIPInputStream(new ByteArrayInputStream(b))
                : new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(b))) {
            content = readUpTo(in, CONTENT_BYTES);
        } catch (IOException e) {
            return format(kind, Optional.empty(), false, "its first bytes don't decompress: " + e.getMessage());
        }
        KernelFormat inside = decodeHeader(content);
        if (inside == null) {
            return format(kind, Optional.empty(), false, "decompresses to " + unknown(content, "").detail());
        }
        return new KernelFormat(kind, inside.arch(), false, inside.detail(), Optional.of(inside));
    }

    /** As much as the stream gives, up to {@code max}: a head ends mid-stream, and that is expected. */
    private static byte[] readUpTo(InputStream in, int max) throws IOException {
        byte[] out = new byte[max];
        int n = 0;
        try {
            for (int r; n < max && (r = in.read(out, n, max - n)) > 0; ) {
                n += r;
            }
        } catch (IOException e) {
            if (n == 0) {
                throw e;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static KernelFormat unknown(byte[] b, String why) {
        String first = HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(8, b.length));
        String bytes = b.length == 0 ? "the file is empty" : "first bytes " + first;
        return format(KernelFormat.Kind.UNKNOWN, Optional.empty(), false, why.isEmpty() ? bytes : why + "; " + bytes);
    }

    private static KernelFormat format(KernelFormat.Kind kind, Optional<String> arch, boolean efiStub, String detail) {
        return new KernelFormat(kind, arch, efiStub, detail, Optional.empty());
    }

    /**
     * The machine of the PE/COFF header whose offset the DOS header holds at 0x3c ("PE\0\0", then the
     * COFF File Header's Machine), when it names one we know.
     */
    private static Optional<String> peMachine(byte[] b) {
        int pe = peOffset(b);
        return pe < 0 ? Optional.empty() : Optional.ofNullable(PE_MACHINES.get(u16(b, pe + 4)));
    }

    /** Where "PE\0\0" is, or -1 when the DOS header points to none within {@code b}. */
    private static int peOffset(byte[] b) {
        long pe = u32(b, 0x3c) & 0xffffffffL;
        return u16(b, 0) == 0x5a4d && pe >= 0x40 && pe + 6 <= b.length && u32(b, (int) pe) == 0x4550 ? (int) pe : -1;
    }

    /** Little-endian u16 at {@code at}; 0 past the end. */
    private static int u16(byte[] b, int at) {
        return at < 0 || at + 2 > b.length ? 0 : (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** Little-endian u32 at {@code at}; 0 past the end. */
    private static int u32(byte[] b, int at) {
        return at < 0 || at + 4 > b.length ? 0 : u16(b, at) | u16(b, at + 2) << 16;
    }
}
