package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderConfigTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path tmp;
    BootPlanner planner;

    @BeforeEach
    void machineWithTwoInitrds() {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.blob("boot/initrd.img", 10);
        config.blob("boot/extra.img", 10);
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img, boot/extra.img]}",
                "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    /** Names after {@code ::} are from the root of pxelinux's server, not its own directory. */
    @Test
    void pxelinuxConfigOverTftpNamesFilesFromTheServersRoot() {
        BootPlan plan = planner.plan(Machine.of(NODE1, Firmware.BIOS)).orElseThrow();
        assertThat(LoaderConfig.pxelinux(plan, BootUrls.Protocol.TFTP)).isEqualTo(String.join("\n",
                "# bootferry: node-01 (52:54:00:12:34:56)",
                "DEFAULT bootferry",
                "PROMPT 0",
                "LABEL bootferry",
                "  KERNEL ::/52-54-00-12-34-56/kernel",
                "  APPEND initrd=::/52-54-00-12-34-56/initrd,::/52-54-00-12-34-56/initrd/1 console=ttyS0"
                        + " inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY",
                ""));
    }

    @Test
    void pxelinuxConfigOverHttpNamesFullUrls() {
        BootPlan plan = planner.plan(Machine.of(NODE1, Firmware.BIOS)).orElseThrow();
        assertThat(LoaderConfig.pxelinux(plan, BootUrls.Protocol.HTTP))
                .contains("  KERNEL http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/kernel\n")
                .contains("  APPEND initrd=http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/initrd,"
                        + "http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/initrd/1 console=ttyS0");
    }

    @Test
    void grubConfigHasASectionPerArchitecture() {
        assertThat(LoaderConfig.grub(grubPlans(), BootUrls.Protocol.TFTP)).isEqualTo(String.join("\n",
                "# bootferry: node-01 (52:54:00:12:34:56)",
                "if [ \"$grub_cpu\" = \"x86_64\" ]; then",
                "  linux '/52-54-00-12-34-56/kernel' 'console=ttyS0' 'inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY'",
                "  initrd '/52-54-00-12-34-56/initrd' '/52-54-00-12-34-56/initrd/1'",
                "  boot",
                "fi",
                "if [ \"$grub_cpu\" = \"arm64\" ]; then",
                "  linux '/52-54-00-12-34-56/efi-arm64/kernel' 'console=ttyS0' 'inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY'",
                "  initrd '/52-54-00-12-34-56/efi-arm64/initrd' '/52-54-00-12-34-56/efi-arm64/initrd/1'",
                "  boot",
                "fi",
                "echo 'bootferry has no kernel for this architecture:' \"$grub_cpu\"",
                ""));
    }

    /** GRUB's root is the (http,…) device its config came from: paths on it, the firmware in the query. */
    @Test
    void grubConfigOverHttpNamesPathsOnItsHttpRoot() {
        assertThat(LoaderConfig.grub(grubPlans(), BootUrls.Protocol.HTTP))
                .contains("  linux '/boot/52-54-00-12-34-56/CAPABILITY/kernel' 'console=ttyS0'")
                .contains("  initrd '/boot/52-54-00-12-34-56/CAPABILITY/initrd' '/boot/52-54-00-12-34-56/CAPABILITY/initrd/1'")
                .contains("  linux '/boot/52-54-00-12-34-56/CAPABILITY/kernel?firmware=efi-arm64' 'console=ttyS0'");
    }

    private List<BootPlan> grubPlans() {
        return List.of(planner.plan(Machine.of(NODE1, Firmware.EFI_X64)).orElseThrow(),
                planner.plan(Machine.of(NODE1, Firmware.EFI_ARM64)).orElseThrow());
    }
}
