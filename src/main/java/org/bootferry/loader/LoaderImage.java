package org.bootferry.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a loader file is, read from its bytes: the kind of loader, whether it carries an Authenticode
 * signature, and whether Microsoft's UEFI CA signed it (what firmware with only Microsoft's keys in
 * its {@code db} runs under Secure Boot). Nothing here trusts the file name: an admin's
 * {@code bootx64.efi} may be shim, GRUB or iPXE.
 *
 * <p>The format: PE/COFF (Microsoft PE Format, "MS-DOS Stub", "COFF File Header", "Optional Header
 * Data Directories": the 5th directory is the Certificate Table, a file offset and size). shim and
 * GRUB name themselves in their {@code .sbat} section (rhboot/shim SBAT.md: CSV lines, the first
 * field a component, {@code shim} or {@code grub}, then vendor entries such as {@code grub.debian});
 * GRUB images have a {@code mods} section (grub-mkimage), iPXE has its name in its text.
 *
 * @param kind        what the file is
 * @param efi         true for a PE image (an EFI application); false for a BIOS loader (undionly.kpxe,
 *                    pxelinux.0), for which Secure Boot does not exist
 * @param signed      true when the Certificate Table is not empty
 * @param microsoftCa true when the signature names Microsoft's UEFI CA (2011 or 2023)
 * @param sbat        the {@code .sbat} components, e.g. {@code [sbat, grub, grub.debian, grub.debian12]}
 * @param grubPrefix  a GRUB image's built-in prefix ({@code grub-mkimage -p}), e.g.
 *                    {@code /debian-installer/amd64/grub}: where it reads its config and modules
 */
public record LoaderImage(Kind kind, boolean efi, boolean signed, boolean microsoftCa, List<String> sbat,
        Optional<String> grubPrefix) {

    /** The loaders bootferry tells apart. */
    public enum Kind {
        /** shim: verifies and starts {@code grubx64.efi} from the directory it was loaded from. */
        SHIM,
        GRUB,
        IPXE,
        /**
         * Anything else, or what its bytes don't tell: pxelinux, another EFI application, and iPXE's
         * BIOS {@code undionly.kpxe}, which is compressed.
         */
        OTHER
    }

    /** The issuer names Microsoft's UEFI third-party CAs carry, as they appear in a signature's certificates. */
    private static final List<String> MICROSOFT_UEFI_CA = List.of("Microsoft Corporation UEFI CA 2011",
            "Microsoft UEFI CA 2023");
    private static final int PE32 = 0x10b;
    private static final int PE32_PLUS = 0x20b;
    private static final int CERTIFICATE_TABLE = 4;
    /** grub-mkimage's {@code struct grub_module_info64} magic ("mimg") and its object type for the prefix. */
    private static final int GRUB_MODULE_MAGIC = 0x676d696d;
    private static final int GRUB_OBJ_TYPE_PREFIX = 3;

    public LoaderImage {
        sbat = List.copyOf(sbat);
    }

    /** Whether GRUB is Debian's build (SBAT vendor {@code grub.debian}), the one bootferry's findings are about. */
    public boolean debianGrub() {
        return kind == Kind.GRUB && sbat.contains("grub.debian");
    }

    /** The vendor's SBAT entry ({@code grub.debian}, {@code shim.redhat}, …), if the image names one. */
    public Optional<String> vendor() {
        return sbat.stream().filter(c -> c.indexOf('.') > 0).findFirst();
    }

    /** Reads a whole loader file's bytes. */
    public static LoaderImage of(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        Kind notEfi = contains(file, "iPXE") ? Kind.IPXE : Kind.OTHER;
        if (file.length < 0x40 || b.getShort(0) != 0x5A4D) { // "MZ"
            return new LoaderImage(notEfi, false, false, false, List.of(), Optional.empty());
        }
        int pe = b.getInt(0x3c);
        if (pe < 0 || pe + 24 > file.length || b.getInt(pe) != 0x00004550) { // "PE\0\0"
            return new LoaderImage(notEfi, false, false, false, List.of(), Optional.empty());
        }
        int sections = b.getShort(pe + 6) & 0xFFFF;
        int optionalSize = b.getShort(pe + 20) & 0xFFFF;
        int optional = pe + 24;
        int magic = optional + 2 <= file.length ? b.getShort(optional) & 0xFFFF : 0;
        int directories = optional + (magic == PE32_PLUS ? 112 : magic == PE32 ? 96 : Integer.MIN_VALUE / 2);
        byte[] certificates = new byte[0];
        int certEntry = directories + 8 * CERTIFICATE_TABLE;
        if (directories > 0 && certEntry + 8 <= optional + optionalSize && certEntry + 8 <= file.length) {
            long offset = b.getInt(certEntry) & 0xFFFFFFFFL;
            long size = b.getInt(certEntry + 4) & 0xFFFFFFFFL;
            if (size > 0 && offset + size <= file.length) {
                certificates = new byte[(int) size];
                System.arraycopy(file, (int) offset, certificates, 0, (int) size);
            }
        }
        List<String> sbat = List.of();
        Optional<String> prefix = Optional.empty();
        boolean grubModules = false;
        for (int i = 0, at = optional + optionalSize; i < sections && at + 40 <= file.length; i++, at += 40) {
            String name = new String(file, at, 8, StandardCharsets.US_ASCII).replace("\0", "");
            int virtualSize = b.getInt(at + 8);
            int rawSize = b.getInt(at + 16);
            int raw = b.getInt(at + 20);
            if (name.equals(".sbat") && raw >= 0 && rawSize >= 0 && raw + Math.min(virtualSize, rawSize) <= file.length) {
                sbat = components(new String(file, raw, Math.min(virtualSize, rawSize), StandardCharsets.US_ASCII));
            }
            if (name.equals("mods") && raw >= 0 && rawSize >= 0 && raw + rawSize <= file.length) {
                grubModules = true;
                prefix = grubPrefix(ByteBuffer.wrap(file, raw, rawSize).slice().order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        Kind kind = sbat.contains("shim") ? Kind.SHIM
                : sbat.contains("grub") || grubModules ? Kind.GRUB
                : contains(file, "iPXE") ? Kind.IPXE
                : Kind.OTHER;
        String signature = new String(certificates, StandardCharsets.ISO_8859_1);
        return new LoaderImage(kind, true, certificates.length > 0,
                MICROSOFT_UEFI_CA.stream().anyMatch(signature::contains), sbat, prefix);
    }

    /**
     * The prefix object of a GRUB image's {@code mods} section (grub-core/kern/main.c,
     * grub_set_prefix_and_root reads it at start): a {@code grub_module_info64} header, then objects
     * of {@code {u32 type, u32 size, data}}.
     */
    private static Optional<String> grubPrefix(ByteBuffer mods) {
        if (mods.remaining() < 24 || mods.getInt(0) != GRUB_MODULE_MAGIC) {
            return Optional.empty();
        }
        long at = mods.getLong(8);
        long end = Math.min(mods.getLong(16), mods.remaining());
        while (at >= 0 && at + 8 <= end) {
            int type = mods.getInt((int) at);
            int size = mods.getInt((int) at + 4);
            if (size < 8 || at + size > end) {
                break;
            }
            if (type == GRUB_OBJ_TYPE_PREFIX) {
                byte[] text = new byte[size - 8];
                mods.get((int) at + 8, text);
                return Optional.of(new String(text, StandardCharsets.US_ASCII).replace("\0", ""));
            }
            at += size;
        }
        return Optional.empty();
    }

    /** The first field of each SBAT line. */
    private static List<String> components(String csv) {
        List<String> names = new ArrayList<>();
        for (String line : csv.split("\n")) {
            String first = line.split(",", 2)[0].strip();
            if (!first.isEmpty()) {
                names.add(first);
            }
        }
        return names;
    }

    private static boolean contains(byte[] file, String text) {
        return new String(file, StandardCharsets.ISO_8859_1).contains(text);
    }
}
