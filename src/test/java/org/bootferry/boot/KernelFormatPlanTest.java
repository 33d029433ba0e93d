package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.e2e.BootArtifacts;
import org.bootferry.e2e.GuestArch;
import org.bootferry.e2e.Vmlinux;
import org.bootferry.kernel.KernelFiles;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machines whose {@code kernelBoot.files.kernel} is a real kernel: Debian's amd64 bzImage, its arm64
 * Image, the ELF vmlinux inside the bzImage, the arm64 Image zstd-compressed. What validate
 * ({@link ConfigCheck#kernels}), explain and the planner every protocol asks say of each.
 */
class KernelFormatPlanTest {

    private static final MacAddress MAC = MacAddress.parse("52:54:00:6b:00:01");
    private static final String FILE = "machines/52-54-00-6b-00-01.yaml";

    private static Path bzImage;
    private static Path arm64Image;
    private static Path vmlinux;

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeAll
    static void debianKernels() {
        bzImage = BootArtifacts.debianKernel(GuestArch.AMD64).vmlinuz();
        arm64Image = BootArtifacts.debianKernel(GuestArch.ARM64).vmlinuz();
        vmlinux = Vmlinux.inside(bzImage);
    }

    @BeforeEach
    void configDir() {
        config = new ConfigDir(tmp.resolve("config"));
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
    }

    private ConfigSnapshot machineBooting(Path kernel) {
        config.file(FILE, "kernelBoot:", "  files: {kernel: " + kernel + "}", "  kernelArgs: console=ttyS0");
        return ConfigLoader.load(config.dir()).requireValid();
    }

    private static BootPlanner planner(ConfigSnapshot snapshot) {
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    private static ConfigCheck.KernelFindings validate(ConfigSnapshot snapshot) {
        assertThat(ConfigCheck.check(snapshot)).as("the config itself is fine").isEmpty();
        return ConfigCheck.kernels(snapshot, BootPlanner.Dependencies.of(() -> snapshot));
    }

    @Test
    void anElfVmlinuxFailsValidateExplainAndEveryPlanSayingWhatToUseInstead() {
        ConfigSnapshot snapshot = machineBooting(vmlinux);
        String expected = "kernel " + vmlinux + " is an ELF vmlinux for x86-64 (ELF64, little-endian): Cloud"
                + " Hypervisor boots that directly (Virtink's convention), no PXE chain does; PXE chains need a"
                + " bzImage (x86-64) or an EFI-stub Image (arm64): point kernelBoot.files.kernel at the"
                + " distribution's /boot/vmlinuz-<version>";
        ConfigCheck.KernelFindings found = validate(snapshot);
        assertThat(found.errors()).containsExactly(new ConfigError(config.dir().resolve(FILE), 0, expected));
        assertThat(found.warnings()).isEmpty();

        BootPlanner planner = planner(snapshot);
        for (Firmware firmware : Firmware.values()) { // what DHCP, TFTP and HTTP ask, as iPXE (which needs no loader)
            assertThatThrownBy(() -> planner.plan(new Machine(MAC, firmware, true, Optional.empty()))).as(firmware.id())
                    .isInstanceOf(BootPlanException.class).hasMessageEndingWith(expected);
        }
        assertThatThrownBy(() -> planner.explain(MAC)).isInstanceOf(BootPlanException.class)
                .hasMessage(config.dir().resolve(FILE) + ": " + expected);
    }

    @Test
    void debiansBzImageBootsX86MachinesAndExplainSaysArm64OnesCantRunIt() {
        ConfigSnapshot snapshot = machineBooting(bzImage);
        assertThat(validate(snapshot)).isEqualTo(new ConfigCheck.KernelFindings(java.util.List.of(), java.util.List.of()));
        Explanation e = planner(snapshot).explain(MAC).orElseThrow();
        assertThat(e.kernelFormat().orElseThrow()).startsWith("an x86-64 bzImage with an EFI stub (boot protocol 2.");
        assertThat(e.dhcp()).containsEntry("bios", "undionly.kpxe").containsEntry("efi-x64", "ipxe.efi")
                .containsEntry("efi-arm64", "not booted: kernel " + bzImage + " is " + e.kernelFormat().get()
                        + ": arm64 machines can't run it; they need an EFI-stub Image (arm64): point"
                        + " kernelBoot.files.kernel at the distribution's /boot/vmlinuz-<version>");
        assertThat(e.warnings()).isEmpty();
        assertThat(e.script()).contains("kernel http://10.0.0.1:8080/boot/52-54-00-6b-00-01/CAPABILITY/kernel");
    }

    /** Which firmware a machine has is not in its file: validate can't refuse an arm64 kernel, DHCP does. */
    @Test
    void debiansArm64ImageBootsArm64MachinesAndBiosIsRefusedWhenItAsks() {
        ConfigSnapshot snapshot = machineBooting(arm64Image);
        assertThat(validate(snapshot).errors()).isEmpty();
        BootPlanner planner = planner(snapshot);
        assertThat(planner.plan(Machine.of(MAC, Firmware.EFI_ARM64)).orElseThrow().bootFile()).isEqualTo("snp.efi");
        assertThatThrownBy(() -> planner.plan(Machine.of(MAC, Firmware.BIOS))).isInstanceOf(BootPlanException.class)
                .hasMessageContaining("is an arm64 Image with an EFI stub (little-endian, 4K pages): x86 machines can't"
                        + " run it; they need a bzImage (x86-64)");
        // explain shows iPXE's plan for the first firmware that boots it: arm64.
        Explanation e = planner.explain(MAC).orElseThrow();
        assertThat(e.kernelFormat()).contains("an arm64 Image with an EFI stub (little-endian, 4K pages)");
        assertThat(e.dhcp().get("ipxe")).endsWith("/boot/52-54-00-6b-00-01/CAPABILITY/boot.ipxe?firmware=efi-arm64");
        assertThat(e.dhcp().get("bios")).startsWith("not booted: kernel " + arm64Image + " is an arm64 Image");
    }

    /** GRUB's file filters know gzip, xz and lzop; iPXE gunzips; nobody reads zstd. */
    @Test
    void aZstdCompressedArm64ImageFailsValidate() throws IOException {
        Path zst = tmp.resolve("Image.zst");
        Files.write(zst, Zstd.compress(Files.readAllBytes(arm64Image), 1));
        ConfigCheck.KernelFindings found = validate(machineBooting(zst));
        // x86 machines can't run it either, but what arm64 machines lack says more.
        assertThat(found.errors()).extracting(ConfigError::message).containsExactly(
                "kernel " + zst + " is a zstd-compressed arm64 Image with an EFI stub (little-endian, 4K pages): neither"
                        + " GRUB nor iPXE decompresses zstd; they need an EFI-stub Image (arm64): point"
                        + " kernelBoot.files.kernel at the distribution's /boot/vmlinuz-<version>");
    }

    @Test
    void aFileOfNoKnownFormatIsAWarningInValidateAndExplainButStillBoots() throws IOException {
        Path script = Files.writeString(tmp.resolve("vmlinuz"), "#!/bin/sh\necho not a kernel\n");
        ConfigSnapshot snapshot = machineBooting(script);
        String warning = "kernel " + script + " is not a kernel format bootferry knows (first bytes 23 21 2f 62 69 6e"
                + " 2f 73): no stock loader is known to boot it, and a machine may hang once its loader starts it";
        ConfigCheck.KernelFindings found = validate(snapshot);
        assertThat(found.errors()).isEmpty();
        assertThat(found.warnings()).containsExactly(new ConfigError(config.dir().resolve(FILE), 0, warning));
        BootPlanner planner = planner(snapshot);
        assertThat(planner.plan(Machine.of(MAC, Firmware.BIOS)).orElseThrow().bootFile()).isEqualTo("undionly.kpxe");
        assertThat(planner.explain(MAC).orElseThrow().warnings()).containsExactly(warning);
    }

    /** A kernel replaced in place is seen once the file is looked at again, at most {@link KernelFiles#RECHECK} later. */
    @Test
    void replacingTheKernelFileChangesTheAnswer() throws Exception {
        Path kernel = tmp.resolve("vmlinuz");
        Files.copy(vmlinux, kernel);
        BootPlanner planner = planner(machineBooting(kernel));
        assertThatThrownBy(() -> planner.plan(Machine.of(MAC, Firmware.BIOS))).isInstanceOf(BootPlanException.class);
        Files.copy(bzImage, kernel, StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(KernelFiles.RECHECK.toMillis() + 100);
        assertThat(planner.plan(Machine.of(MAC, Firmware.BIOS))).isPresent();
    }
}
