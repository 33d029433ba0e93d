package org.bootferry.machine;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What kind of firmware is asking, which decides the first-stage loader. The DHCP layer derives it
 * from option 93 (RFC 4578 §2.1, IANA "Processor Architecture Types") and option 60; the CLI takes
 * its {@link #id()} in {@code explain --firmware}.
 */
public enum Firmware {
    BIOS("bios", Arch.X86_64, false),
    EFI_IA32("efi-ia32", Arch.X86, false),
    EFI_X64("efi-x64", Arch.X86_64, false),
    EFI_ARM32("efi-arm32", Arch.ARM, false),
    EFI_ARM64("efi-arm64", Arch.ARM64, false),
    HTTP_IA32("http-ia32", Arch.X86, true),
    HTTP_X64("http-x64", Arch.X86_64, true),
    HTTP_ARM32("http-arm32", Arch.ARM, true),
    HTTP_ARM64("http-arm64", Arch.ARM64, true);

    /** CPU architecture, named as OCI image platforms name it. */
    public enum Arch {
        X86("386"), X86_64("amd64"), ARM("arm"), ARM64("arm64");

        private final String ociName;

        Arch(String ociName) {
            this.ociName = ociName;
        }

        public String ociName() {
            return ociName;
        }
    }

    private final String id;
    private final Arch arch;
    private final boolean httpBoot;

    Firmware(String id, Arch arch, boolean httpBoot) {
        this.id = id;
        this.arch = arch;
        this.httpBoot = httpBoot;
    }

    public String id() {
        return id;
    }

    public Arch arch() {
        return arch;
    }

    /** UEFI HTTP Boot: the boot file is a URL, no TFTP. */
    public boolean httpBoot() {
        return httpBoot;
    }

    public boolean uefi() {
        return this != BIOS;
    }

    /**
     * The firmware whose {@code loaders:} entry this one boots: UEFI HTTP Boot fetches its
     * architecture's EFI loader, by URL instead of TFTP.
     */
    public Firmware loaderFirmware() {
        return httpBoot ? byId(id.replace("http-", "efi-")).orElseThrow() : this;
    }

    /** The ids a {@code loaders:} entry may have, exactly as written there. */
    public static List<String> loaderIds() {
        return Arrays.stream(values()).filter(f -> f.loaderFirmware() == f).map(Firmware::id).toList();
    }

    public static Optional<Firmware> byId(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equalsIgnoreCase(id)).findFirst();
    }

    public static String ids() {
        return Arrays.stream(values()).map(Firmware::id).collect(Collectors.joining("|"));
    }

    @Override
    public String toString() {
        return id;
    }
}
