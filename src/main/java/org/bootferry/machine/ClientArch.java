package org.bootferry.machine;

import java.util.Optional;

/**
 * Every IANA "Processor Architecture Types" code a client may send in option 93 (RFC 4578 §2.1, the
 * registry shared with DHCPv6 option 61, RFC 5970). Codes with a loader map to a {@link Firmware};
 * the rest are known by name so the log can say who asked and why it was not booted.
 *
 * <p>7 and 9: RFC 4578 first named 7 "EFI BC" and 9 "EFI x86-64", the IANA registry swapped them
 * and an erratum (2016) sided with IANA. EDK2 sends 7 on x86-64; old clients may send 9. Both are
 * x86-64 UEFI machines in practice, so both boot {@code ipxe.efi}.
 */
public enum ClientArch {
    X86_BIOS(0, "x86 BIOS", Firmware.BIOS),
    NEC_PC98(1, "NEC/PC98", null),
    ITANIUM(2, "Itanium", null),
    DEC_ALPHA(3, "DEC Alpha", null),
    ARC_X86(4, "Arc x86", null),
    INTEL_LEAN_CLIENT(5, "Intel Lean Client", null),
    X86_UEFI(6, "x86 UEFI", Firmware.EFI_IA32),
    X64_UEFI(7, "x64 UEFI", Firmware.EFI_X64),
    EFI_XSCALE(8, "EFI Xscale", null),
    EBC(9, "EBC (x64 UEFI in RFC 4578's first text)", Firmware.EFI_X64),
    ARM32_UEFI(10, "ARM 32-bit UEFI", Firmware.EFI_ARM32),
    ARM64_UEFI(11, "ARM 64-bit UEFI", Firmware.EFI_ARM64),
    POWERPC_OPEN_FIRMWARE(12, "PowerPC Open Firmware", null),
    POWERPC_EPAPR(13, "PowerPC ePAPR", null),
    POWER_OPAL_V3(14, "POWER OPAL v3", null),
    X86_UEFI_HTTP(15, "x86 UEFI HTTP Boot", Firmware.HTTP_IA32),
    X64_UEFI_HTTP(16, "x64 UEFI HTTP Boot", Firmware.HTTP_X64),
    EBC_HTTP(17, "EBC HTTP Boot", null),
    ARM32_UEFI_HTTP(18, "ARM 32-bit UEFI HTTP Boot", Firmware.HTTP_ARM32),
    ARM64_UEFI_HTTP(19, "ARM 64-bit UEFI HTTP Boot", Firmware.HTTP_ARM64),
    X86_BIOS_HTTP(20, "x86 BIOS HTTP Boot", null),
    ARM32_UBOOT(21, "ARM 32-bit U-Boot", null),
    ARM64_UBOOT(22, "ARM 64-bit U-Boot", null),
    ARM32_UBOOT_HTTP(23, "ARM 32-bit U-Boot HTTP Boot", null),
    ARM64_UBOOT_HTTP(24, "ARM 64-bit U-Boot HTTP Boot", null),
    RISCV32_UEFI(25, "RISC-V 32-bit UEFI", null),
    RISCV32_UEFI_HTTP(26, "RISC-V 32-bit UEFI HTTP Boot", null),
    RISCV64_UEFI(27, "RISC-V 64-bit UEFI", null),
    RISCV64_UEFI_HTTP(28, "RISC-V 64-bit UEFI HTTP Boot", null),
    RISCV128_UEFI(29, "RISC-V 128-bit UEFI", null),
    RISCV128_UEFI_HTTP(30, "RISC-V 128-bit UEFI HTTP Boot", null),
    S390_BASIC(31, "s390 Basic", null),
    S390_EXTENDED(32, "s390 Extended", null),
    MIPS32_UEFI(33, "MIPS 32-bit UEFI", null),
    MIPS64_UEFI(34, "MIPS 64-bit UEFI", null),
    SUNWAY32_UEFI(35, "Sunway 32-bit UEFI", null),
    SUNWAY64_UEFI(36, "Sunway 64-bit UEFI", null),
    LOONGARCH32_UEFI(37, "LoongArch 32-bit UEFI", null),
    LOONGARCH32_UEFI_HTTP(38, "LoongArch 32-bit UEFI HTTP Boot", null),
    LOONGARCH64_UEFI(39, "LoongArch 64-bit UEFI", null),
    LOONGARCH64_UEFI_HTTP(40, "LoongArch 64-bit UEFI HTTP Boot", null),
    ARM_RPIBOOT(41, "ARM rpiboot", null);

    private final int code;
    private final String description;
    private final Firmware firmware;

    ClientArch(int code, String description, Firmware firmware) {
        this.code = code;
        this.description = description;
        this.firmware = firmware;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** The firmware kind bootferry has a loader for; empty when this architecture is not booted. */
    public Optional<Firmware> firmware() {
        return Optional.ofNullable(firmware);
    }

    public static Optional<ClientArch> of(int code) {
        ClientArch[] all = values();
        return code >= 0 && code < all.length ? Optional.of(all[code]) : Optional.empty();
    }

    @Override
    public String toString() {
        return code + " (" + description + ")";
    }
}
