package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code match: {macs, arch}} where the planner asks: a machine is planned from the match file of
 * the firmware it boots with, GRUB's per-architecture sections each from their own, and explain says
 * which file serves a firmware that is not the explained file's.
 */
class MatchArchPlanTest {

    private static final MacAddress MAC = MacAddress.parse("52:54:00:a2:00:01");

    @TempDir
    Path tmp;
    BootPlanner planner;

    @BeforeEach
    void twoFilesForOneOui() {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.blob("boot/vmlinuz-efi", 100);
        config.file("server.yaml", "advertise: 192.0.2.4");
        config.file("machines/qemu.yaml", "hostname: bios-box", "match: {macs: [\"52:54:00\"]}",
                "kernelBoot: {files: {kernel: boot/vmlinuz}}");
        config.file("machines/qemu-efi.yaml", "hostname: efi-box", "match: {macs: [\"52:54:00\"], arch: efi-x64}",
                "kernelBoot: {files: {kernel: boot/vmlinuz-efi}}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    @Test
    void eachFirmwareIsPlannedFromItsOwnFile() {
        assertThat(planner.plan(Machine.of(MAC, Firmware.BIOS)).orElseThrow().hostname()).isEqualTo("bios-box");
        assertThat(planner.plan(Machine.of(MAC, Firmware.EFI_X64)).orElseThrow().hostname()).isEqualTo("efi-box");
        assertThat(planner.plan(Machine.of(MAC, Firmware.HTTP_X64)).orElseThrow().hostname()).isEqualTo("efi-box");
        assertThat(planner.plan(Machine.of(MAC, Firmware.EFI_ARM64)).orElseThrow().hostname()).isEqualTo("bios-box");
    }

    @Test
    void grubsX64SectionIsTheEfiFilesAndPxelinuxTheBiosFiles() {
        String grub = planner.loaderConfig(new BootUrls.LoaderConfigFile(LoaderConfig.Kind.GRUB, MAC, "x",
                BootUrls.Protocol.TFTP), Optional.empty()).orElseThrow();
        String pxelinux = planner.loaderConfig(new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, MAC, "x",
                BootUrls.Protocol.TFTP), Optional.empty()).orElseThrow();

        assertThat(grub).startsWith("# bootferry: efi-box (52:54:00:a2:00:01)\n");
        assertThat(pxelinux).startsWith("# bootferry: bios-box (52:54:00:a2:00:01)\n");
    }

    @Test
    void explainSaysWhichFileServesTheOtherFirmwares() {
        Explanation e = planner.explain(MAC).orElseThrow();

        assertThat(e.machineFile()).endsWith("qemu.yaml");
        assertThat(e.dhcp().get("efi-x64")).isEqualTo("served by " + tmp.resolve("config/machines/qemu-efi.yaml")
                + " (its match.arch), not by the file explained here");
        assertThat(e.dhcp().get("bios")).isEqualTo("undionly.kpxe");
    }
}
