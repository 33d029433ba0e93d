package org.bootferry.machine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientArchTest {

    @Test
    void everyRegistryCodeFrom0To41IsKnownByItsOwnCode() {
        for (int code = 0; code <= 41; code++) {
            assertThat(ClientArch.of(code).orElseThrow().code()).isEqualTo(code);
        }
        assertThat(ClientArch.of(42)).isEmpty();
        assertThat(ClientArch.of(-1)).isEmpty();
    }

    @Test
    void bothX64CodesBootTheX64Loader() {
        assertThat(ClientArch.of(7).orElseThrow().firmware()).contains(Firmware.EFI_X64);
        assertThat(ClientArch.of(9).orElseThrow().firmware()).contains(Firmware.EFI_X64);
    }

    @Test
    void httpBootCodesMapToHttpFirmware() {
        assertThat(ClientArch.X86_UEFI_HTTP.firmware()).contains(Firmware.HTTP_IA32);
        assertThat(ClientArch.X64_UEFI_HTTP.firmware()).contains(Firmware.HTTP_X64);
        assertThat(ClientArch.ARM32_UEFI_HTTP.firmware()).contains(Firmware.HTTP_ARM32);
        assertThat(ClientArch.ARM64_UEFI_HTTP.firmware()).contains(Firmware.HTTP_ARM64);
        assertThat(ClientArch.X86_BIOS_HTTP.firmware()).isEmpty();
    }

    @Test
    void riscvIsNamedButHasNoLoader() {
        assertThat(ClientArch.of(27).orElseThrow().description()).isEqualTo("RISC-V 64-bit UEFI");
        assertThat(ClientArch.RISCV64_UEFI.firmware()).isEmpty();
    }
}
