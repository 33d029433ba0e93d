package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootState;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule of {@link Plans} for stock loaders: a machine's own {@code loaders:} over server.yaml's;
 * with a kernel, bootferry renders the loader's per-machine config; without, the machine boots its
 * loader and the tftproot's configs as they are, whatever client asks.
 */
class LoaderMenuTest {

    static final MacAddress PLANNED = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress STOCK = MacAddress.parse("52:54:00:12:34:57");
    static final String PXELINUX = "debian-installer/amd64/pxelinux.0";
    static final String GRUB = "debian-installer/amd64/grubx64.efi";

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void aPlannedMachineAndAStockOne() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.blob("boot/initrd.img", 10);
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: planned",
                "loaders: {bios: " + PXELINUX + "}",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img]}",
                "  kernelArgs: console=ttyS0");
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: stock",
                "loaders: {bios: " + PXELINUX + ", efi-x64: " + GRUB + "}");
    }

    private BootPlanner planner(BootPlanner.Dependencies deps) {
        return new BootPlanner(deps);
    }

    private BootPlanner planner() {
        return planner(BootPlanner.Dependencies.of(snapshot()));
    }

    private java.util.function.Supplier<ConfigSnapshot> snapshot() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return () -> snapshot;
    }

    private static Machine ipxe(MacAddress mac, Firmware firmware) {
        return new Machine(mac, firmware, true, Optional.empty());
    }

    @Test
    void aMachinesOwnLoaderIsWhatItsPxeFirmwareRunsAndItsIpxeStillGetsTheScript() {
        BootPlanner planner = planner();
        assertThat(planner.plan(Machine.of(PLANNED, Firmware.BIOS)).orElseThrow().bootFile()).isEqualTo(PXELINUX);
        assertThat(planner.plan(Machine.of(PLANNED, Firmware.EFI_X64)).orElseThrow().bootFile())
                .as("server.yaml's loader for what the machine names none").isEqualTo("ipxe.efi");
        assertThat(planner.plan(ipxe(PLANNED, Firmware.BIOS)).orElseThrow().bootFile())
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe");
    }

    @Test
    void withChainloadServerTheNicsIpxeRunsTheMachinesOwnLoaderByUrl() {
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080", "chainload: {ipxe: server}");
        LoaderFetches fetches = new LoaderFetches(a -> Optional.empty(), System::nanoTime);
        BootPlanner planner = planner(BootPlanner.Dependencies.of(snapshot())
                .withLoaders(fetches::fetchedRecently, loader -> Optional.empty()));
        assertThat(planner.plan(ipxe(PLANNED, Firmware.BIOS)).orElseThrow().bootFile())
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/tftp/" + PXELINUX);
    }

    @Test
    void aMachineWithoutAKernelGetsItsLoaderWhateverAsks() {
        BootPlanner planner = planner();
        assertThat(planner.plan(Machine.of(STOCK, Firmware.BIOS)).orElseThrow().bootFile()).isEqualTo(PXELINUX);
        assertThat(planner.plan(Machine.of(STOCK, Firmware.EFI_X64)).orElseThrow().bootFile()).isEqualTo(GRUB);
        assertThat(planner.plan(ipxe(STOCK, Firmware.BIOS)).orElseThrow().bootFile())
                .as("an iPXE runs the loader too: there is no kernel for a script")
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-57/tftp/" + PXELINUX);
        assertThat(planner.plan(Machine.of(STOCK, Firmware.HTTP_X64)).orElseThrow().bootFile())
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-57/tftp/" + GRUB);
        BootPlan plan = planner.plan(ipxe(STOCK, Firmware.BIOS)).orElseThrow();
        assertThat(plan.kernel()).isEmpty();
        assertThat(plan.ownBoot()).isFalse();
        assertThat(IpxeScript.render(plan)).as("an old script that chains here anyway")
                .endsWith("chain http://10.0.0.1:8080/boot/52-54-00-12-34-57/tftp/" + PXELINUX + "\n");
        assertThatThrownBy(() -> planner.plan(Machine.of(STOCK, Firmware.EFI_ARM64))).isInstanceOf(BootPlanException.class)
                .hasMessageContaining("no kernel").hasMessageContaining("it names none for efi-arm64");
    }

    @Test
    void onlyAMachineWithABootOfItsOwnGetsARenderedConfig() throws Exception {
        BootPlanner planner = planner();
        BootUrls.LoaderConfigFile planned = new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, PLANNED,
                "debian-installer/amd64/pxelinux.cfg/01-52-54-00-12-34-56", BootUrls.Protocol.HTTP);
        assertThat(planner.loaderConfig(planned, Optional.of(InetAddress.getByName("10.0.0.9")))).get().asString()
                .as("URLs at the address the request came in on")
                .contains("KERNEL http://10.0.0.9:8080/boot/52-54-00-12-34-56/CAPABILITY/kernel");
        for (LoaderConfig.Kind kind : LoaderConfig.Kind.values()) {
            assertThat(planner.loaderConfig(new BootUrls.LoaderConfigFile(kind, STOCK, "x", BootUrls.Protocol.TFTP),
                    Optional.empty())).as("%s of a machine without a kernel", kind).isEmpty();
            assertThat(planner.loaderConfig(new BootUrls.LoaderConfigFile(kind, MacAddress.parse("52:54:00:ff:ff:ff"), "x",
                    BootUrls.Protocol.TFTP), Optional.empty())).as("%s of an unknown machine", kind).isEmpty();
        }
    }

    @Test
    void explainSaysWhichConfigEachLoaderGets() {
        Explanation planned = planner().explain(PLANNED).orElseThrow();
        assertThat(planned.loaderConfigs()).containsEntry("pxelinux",
                "pxelinux.cfg/01-52-54-00-12-34-56 in any directory: rendered, boots this kernel");
        assertThat(planned.kernel()).isPresent();
        Explanation stock = planner().explain(STOCK).orElseThrow();
        assertThat(stock.loaderConfigs().get("pxelinux")).startsWith("pxelinux.cfg/01-52-54-00-12-34-57: the tftproot's file")
                .contains("pxelinux.cfg/default");
        assertThat(stock.loaderConfigs().get("grub")).contains("grub.cfg in its prefix");
        assertThat(stock.kernel()).isEmpty();
        assertThat(stock.dhcp()).containsEntry("bios", PXELINUX)
                .containsEntry("ipxe", "http://10.0.0.1:8080/boot/52-54-00-12-34-57/tftp/" + PXELINUX);
        assertThat(stock.dhcp().get("efi-arm64")).startsWith("not booted: no kernel");
    }

    /** Once a bootOnce install from the stock menu is done, the machine boots its disk like any other. */
    @Test
    void anInstalledStockMachineBootsItsDisk() throws Exception {
        config.file("machines/52-54-00-12-34-57.yaml", "loaders: {bios: " + PXELINUX + "}", "bootOnce: true");
        BootState state = new BootState(tmp.resolve("state"));
        BootPlanner planner = planner(BootPlanner.Dependencies.of(snapshot()).withInstalls(state));
        BootUrls.LoaderConfigFile config = new BootUrls.LoaderConfigFile(LoaderConfig.Kind.PXELINUX, STOCK,
                "pxelinux.cfg/01-52-54-00-12-34-57", BootUrls.Protocol.TFTP);
        assertThat(planner.loaderConfig(config, Optional.empty())).isEmpty();
        state.markInstalled(STOCK, Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(planner.loaderConfig(config, Optional.empty())).get().asString().contains("LOCALBOOT 0");
        assertThat(IpxeScript.render(planner.plan(ipxe(STOCK, Firmware.BIOS)).orElseThrow()))
                .endsWith("sanboot --no-describe --drive 0x80\n");
    }

    /**
     * A machine without a kernel is checked, and its kickstart (whose URL says no firmware) rendered,
     * for the firmware it names loaders for, not for BIOS.
     */
    @Test
    void aStockMachineForUefiOnlyIsValidAndGetsItsKickstart() {
        config.file("templates/ks.cfg", "network --hostname={{hostname}} # {{firmware}}");
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: stock", "loaders: {efi-x64: " + GRUB + "}",
                "kickstart: ks.cfg");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).isEmpty();
        assertThat(planner().kickstart(Machine.of(STOCK, Firmware.BIOS))).contains("network --hostname=stock # efi-x64\n");
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: nothing");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::message).singleElement()
                .asString().startsWith("no kernel: ");
    }

    /** iPXE boots what a script names; without a kernel it would fetch itself again and again. */
    @Test
    void anIpxeLoaderWithoutAKernelIsAConfigError() {
        config.file("machines/52-54-00-12-34-57.yaml", "loaders: {bios: undionly.kpxe}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::message).singleElement()
                .asString().startsWith("loaders: bios: undionly.kpxe is iPXE");
    }

    @Test
    void loadersOfUnknownFirmwareAreReportedWhereTheyAreWritten() {
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: stock", "loaders: {efi-x46: " + PXELINUX + "}");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().hasToString(
                config.dir().resolve("machines/52-54-00-12-34-57.yaml")
                        + ":2: loaders: unknown firmware 'efi-x46' (did you mean 'efi-x64'?) (known: bios, efi-ia32, efi-x64, efi-arm32, efi-arm64)");
    }

    /** The planner looks loaders: keys up exactly: another spelling, or HTTP Boot's id, would never be used. */
    @Test
    void loaderKeysTheFirmwareNeverBootsAreErrorsInMachineFilesAsInServerYaml() {
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: stock", "loaders: {BIOS: " + PXELINUX + "}");
        config.file("machines/52-54-00-12-34-58.yaml", "hostname: http", "loaders: {http-x64: " + GRUB + "}");
        assertThat(ConfigLoader.load(config.dir()).errors()).extracting(ConfigError::message).containsExactlyInAnyOrder(
                "loaders: unknown firmware 'BIOS' (did you mean 'bios'?) (known: bios, efi-ia32, efi-x64, efi-arm32, efi-arm64)",
                "loaders: 'http-x64' boots the loader of 'efi-x64' (by URL): name it there");
    }

    /** A profile's loaders and the machine's merge by firmware. */
    @Test
    void aProfileCanNameTheLoadersOfEveryMachineThatUsesIt() {
        config.file("profiles/stock.yaml", "loaders: {bios: " + PXELINUX + ", efi-x64: " + GRUB + "}");
        config.file("machines/52-54-00-12-34-57.yaml", "profile: stock", "loaders: {efi-x64: other/grubx64.efi}");
        BootPlanner planner = planner();
        assertThat(planner.plan(Machine.of(STOCK, Firmware.BIOS)).orElseThrow().bootFile()).isEqualTo(PXELINUX);
        assertThat(planner.plan(Machine.of(STOCK, Firmware.EFI_X64)).orElseThrow().bootFile()).isEqualTo("other/grubx64.efi");
    }
}
