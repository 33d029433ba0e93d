package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootState;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.loader.LoaderPresence;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootPlannerTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress NODE2 = MacAddress.parse("52:54:00:12:34:57");

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void twoMachinesAndAProfile() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.blob("boot/initrd.img", 10);
        config.blob("boot/extra.img", 10);
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        config.file("profiles/install.yaml",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img, boot/extra.img]}",
                "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}}",
                "kickstart: fedora.ks",
                "vars: {timezone: UTC, lang: en}");
        config.file("templates/fedora.ks", "network --hostname={{hostname}}", "timezone {{vars.timezone}}");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "profile: install",
                "vars: {timezone: Europe/Berlin}");
        config.file("machines/52-54-00-12-34-57.yaml", "profile: install",
                "kernelBoot:", "  kernelArgs: console=ttyS1 rescue");
    }

    private BootPlanner planner() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    @Test
    void biosFirmwareGetsUndionlyOverTftpFromTheAdvertisedServer() throws Exception {
        BootPlan plan = planner().plan(Machine.of(NODE1, Firmware.BIOS)).orElseThrow();
        assertThat(plan.bootFile()).isEqualTo("undionly.kpxe");
        assertThat(plan.nextServer()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(plan.hostname()).isEqualTo("node-01");
    }

    @Test
    void uefiFirmwareGetsIpxeEfi() {
        assertThat(planner().plan(Machine.of(NODE1, Firmware.EFI_X64)).orElseThrow().bootFile()).isEqualTo("ipxe.efi");
    }

    /**
     * Issue 4: "snp.efi for arm64 when present". Debian ships no arm64 iPXE, so a serving planner
     * does not send an arm64 machine to fetch a loader its tftproot lacks; the error names the file,
     * the directory and the setting. Once the file is there, it is offered.
     */
    @Test
    void arm64GetsSnpEfiOnlyWhenTheTftprootHasIt() throws Exception {
        Path tftproot = java.nio.file.Files.createDirectories(tmp.resolve("tftproot"));
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        java.util.function.Supplier<BootPlanner> serving = () -> {
            try {
                return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withLoaders((mac, loader) -> true,
                        new LoaderPresence(LoaderFiles.directory(tftproot))::missing));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Machine arm64 = Machine.of(NODE1, Firmware.EFI_ARM64);

        assertThatThrownBy(() -> serving.get().plan(arm64)).isInstanceOf(BootPlanException.class)
                .hasMessageContaining("loader 'snp.efi' for firmware efi-arm64 is not in " + tftproot.toRealPath())
                .hasMessageContaining("'loaders:'");
        assertThat(serving.get().explain(NODE1).orElseThrow().dhcp().get("efi-arm64")).startsWith("not booted: loader 'snp.efi'");

        java.nio.file.Files.writeString(tftproot.resolve("snp.efi"), "an arm64 iPXE");
        assertThat(serving.get().plan(arm64).orElseThrow().bootFile()).isEqualTo("snp.efi");
    }

    @Test
    void ipxeGetsItsScriptUrlWhichEndsTheChainload() {
        Machine ipxe = new Machine(NODE1, Firmware.EFI_X64, true, Optional.empty());
        assertThat(planner().plan(ipxe).orElseThrow().bootFile())
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe?firmware=efi-x64");
    }

    @Test
    void withChainloadServerTheNicsIpxeFirstGetsOurLoaderOverHttpThenOursGetsTheScript() {
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080", "chainload: {ipxe: server}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        LoaderFetches fetches = new LoaderFetches(a -> Optional.empty(), now::get);
        BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot)
                .withLoaders(fetches::fetchedRecently, loader -> Optional.empty()));
        Machine romIpxe = new Machine(NODE1, Firmware.BIOS, true, Optional.empty());

        assertThat(planner.plan(romIpxe).orElseThrow().bootFile())
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/tftp/undionly.kpxe");
        fetches.fetched(NODE1, "undionly.kpxe");
        assertThat(planner.plan(romIpxe).orElseThrow().bootFile()).as("the iPXE that just fetched our loader")
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe");
        assertThat(planner.plan(new Machine(NODE2, Firmware.BIOS, true, Optional.empty())).orElseThrow().bootFile())
                .as("another machine's iPXE").endsWith("/boot/52-54-00-12-34-57/tftp/undionly.kpxe");

        now.addAndGet(LoaderFetches.RECENT.toNanos() + 1);
        assertThat(planner.plan(romIpxe).orElseThrow().bootFile()).as("the next boot, minutes later")
                .endsWith("/boot/52-54-00-12-34-56/tftp/undionly.kpxe");
        assertThat(planner.plan(Machine.of(NODE1, Firmware.EFI_X64)).orElseThrow().bootFile())
                .as("firmware that is not iPXE gets the loader by TFTP as always").isEqualTo("ipxe.efi");
    }

    @Test
    void withoutFetchRecordsOrWithChainloadFirmwareEveryIpxeGetsTheScript() {
        Machine romIpxe = new Machine(NODE1, Firmware.EFI_X64, true, Optional.empty());
        LoaderFetches none = new LoaderFetches(a -> Optional.empty(), System::nanoTime);
        ConfigSnapshot firmware = ConfigLoader.load(config.dir()).requireValid();
        assertThat(new BootPlanner(BootPlanner.Dependencies.of(() -> firmware)
                .withLoaders(none::fetchedRecently, loader -> Optional.empty()))
                .plan(romIpxe).orElseThrow().bootFile()).contains("/boot.ipxe?");

        config.file("server.yaml", "advertise: 10.0.0.1", "chainload: {ipxe: server}");
        ConfigSnapshot server = ConfigLoader.load(config.dir()).requireValid();
        assertThat(new BootPlanner(BootPlanner.Dependencies.of(() -> server)).plan(romIpxe).orElseThrow().bootFile())
                .as("a planner nobody tells of fetches (explain) could never break the loop").contains("/boot.ipxe?");
    }

    @Test
    void anUnknownChainloadChoiceIsAConfigError() {
        config.file("server.yaml", "chainload: {ipxe: newest}");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().extracting(ConfigError::message)
                .asString().startsWith("chainload.ipxe: 'newest' is neither 'firmware'");
    }

    @Test
    void uefiHttpBootGetsTheLoaderByUrl() {
        assertThat(planner().plan(Machine.of(NODE1, Firmware.HTTP_X64)).orElseThrow().bootFile())
                .isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/tftp/ipxe.efi");
    }

    /** iPXE, the kernel and the installer get plain http: their builds trust no CA of ours (README, Security). */
    @Test
    void withHttpsUefiHttpBootGetsAnHttpsLoaderUrlAndIpxeAndInstallersPlainHttp() {
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080", "https: {port: 8443}");

        BootPlan httpBoot = planner().plan(Machine.of(NODE1, Firmware.HTTP_X64)).orElseThrow();
        BootPlan ipxe = planner().plan(new Machine(NODE1, Firmware.EFI_X64, true, Optional.empty())).orElseThrow();

        assertThat(httpBoot.bootFile()).isEqualTo("https://10.0.0.1:8443/boot/52-54-00-12-34-56/tftp/ipxe.efi");
        assertThat(httpBoot.cmdline()).contains("inst.ks=http://10.0.0.1:8080/ks/");
        assertThat(ipxe.bootFile()).startsWith("http://10.0.0.1:8080/boot/52-54-00-12-34-56/");
    }

    @Test
    void theAddressARequestArrivedAtIsUsedForUrls() throws Exception {
        Machine m = new Machine(NODE1, Firmware.BIOS, true, Optional.of(InetAddress.getByName("192.0.2.7")));
        BootPlan plan = planner().plan(m).orElseThrow();
        assertThat(plan.nextServer().getHostAddress()).isEqualTo("192.0.2.7");
        assertThat(plan.cmdline()).isEqualTo("console=ttyS0 inst.ks=http://192.0.2.7:8080/ks/52-54-00-12-34-56/CAPABILITY");
    }

    @Test
    void eachMacGetsItsOwnKernelArgsAndProfileValuesFillTheRest() {
        BootPlanner planner = planner();
        BootPlan one = planner.plan(Machine.of(NODE1, Firmware.BIOS)).orElseThrow();
        BootPlan two = planner.plan(Machine.of(NODE2, Firmware.BIOS)).orElseThrow();
        assertThat(one.cmdline()).isEqualTo("console=ttyS0 inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY");
        assertThat(two.cmdline()).isEqualTo("console=ttyS1 rescue");
        assertThat(two.hostname()).isEqualTo("52-54-00-12-34-57");
        assertThat(two.initrds()).hasSize(2);
    }

    @Test
    void kickstartIsRenderedWithTheMachinesValuesOverTheProfiles() {
        assertThat(planner().kickstart(Machine.of(NODE1, Firmware.BIOS)))
                .contains("network --hostname=node-01\ntimezone Europe/Berlin\n");
    }

    @Test
    void unknownMacIsNotPlannedUnlessThereIsADefault() {
        MacAddress stranger = MacAddress.parse("00:11:22:33:44:55");
        assertThat(planner().plan(Machine.of(stranger, Firmware.BIOS))).isEmpty();
        config.file("machines/default.yaml", "profile: install");
        assertThat(planner().plan(Machine.of(stranger, Firmware.BIOS))).get()
                .extracting(BootPlan::hostname).isEqualTo("00-11-22-33-44-55");
    }

    @Test
    void scriptNamesEveryInitrdForEfiIpxe() {
        BootPlan plan = planner().plan(new Machine(NODE1, Firmware.EFI_X64, true, Optional.empty())).orElseThrow();
        assertThat(IpxeScript.render(plan)).isEqualTo("""
                #!ipxe
                # bootferry: node-01 (52:54:00:12:34:56)
                kernel http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/kernel initrd=initrd initrd=initrd1 \
                console=ttyS0 inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY
                initrd --name initrd http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/initrd
                initrd --name initrd1 http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/initrd/1
                boot
                """);
    }

    @Test
    void checkFindsUnknownTemplateVariablesNamingTheTemplate() {
        config.file("templates/fedora.ks", "ok", "rootpw {{vars.password}}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(ConfigCheck.check(snapshot)).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("templates/fedora.ks")
                        + ":2: unknown variable 'vars.password': 'vars' has no 'password' (known here: lang, timezone)");
    }

    @Test
    void checkFindsKernelArgsVariablesAndMissingKernels() {
        config.file("machines/52-54-00-12-34-57.yaml", "kernelBoot:", "  kernelArgs: x={{nope}}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(ConfigCheck.check(snapshot)).extracting(ConfigError::message).containsExactly(
                "no kernel: set kernelBoot.files, kernelBoot.container or kernelBoot.location here or in its profile, or name a loader whose"
                        + " own menu it boots (loaders: {bios: …}; it names none for bios)");
        config.file("machines/52-54-00-12-34-57.yaml", "profile: install", "kernelBoot:", "  kernelArgs: x={{nope}}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::message)
                .singleElement().asString().startsWith("kernelArgs: unknown variable 'nope'");
    }

    @Test
    void aLineBreakFromAVariableCannotReachTheScript() {
        config.file("machines/52-54-00-12-34-57.yaml", "profile: install",
                "vars: {evil: \"x\\nchain http://evil/\"}", "kernelBoot:", "  kernelArgs: a={{vars.evil}}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThatThrownBy(() -> new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot)).plan(Machine.of(NODE2, Firmware.BIOS)))
                .isInstanceOf(BootPlanException.class).hasMessageContaining("line break");
    }

    @Test
    void unknownLoaderFirmwareInServerYamlIsReported() {
        config.file("server.yaml", "advertise: 10.0.0.1", "loaders: {efi-x86: ipxe.efi}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir(), Map.of()))).extracting(ConfigError::message)
                .singleElement().asString().startsWith("loaders: unknown firmware 'efi-x86'");
    }

    @Test
    void kernelArgsStartingWithPlusAppendToTheProfiles() {
        config.file("machines/52-54-00-12-34-57.yaml", "profile: install", "kernelBoot:", "  kernelArgs: + rd.debug");
        assertThat(planner().plan(Machine.of(NODE2, Firmware.BIOS)).orElseThrow().cmdline())
                .isEqualTo("console=ttyS0 inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-57/CAPABILITY rd.debug");
    }

    @Test
    void installFilesAreRenderedByNameForCloudInitNoCloud() {
        config.file("templates/user-data", "#cloud-config", "hostname: {{hostname}}");
        config.file("templates/meta-data", "instance-id: {{mac}}");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "profile: install",
                "files: {user-data: user-data, meta-data: meta-data}", "kernelBoot:",
                "  kernelArgs: \"ds=nocloud-net;s={{filesUrl}}\"");
        BootPlanner planner = planner();
        Machine node1 = Machine.of(NODE1, Firmware.BIOS);
        assertThat(planner.plan(node1).orElseThrow().cmdline()).isEqualTo("ds=nocloud-net;s=http://10.0.0.1:8080/files/52-54-00-12-34-56/CAPABILITY/");
        assertThat(planner.installFile(node1, "user-data")).contains("#cloud-config\nhostname: node-01\n");
        assertThat(planner.installFile(node1, "meta-data")).contains("instance-id: 52:54:00:12:34:56\n");
        assertThat(planner.installFile(node1, "vendor-data")).isEmpty();
    }

    @Test
    void aValueWithALineBreakCannotAddLinesToAnInstallFile() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: \"node-01\\nrootpw --plaintext x\"", "profile: install");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(ConfigCheck.check(snapshot)).extracting(ConfigError::message).singleElement().asString()
                .startsWith("the value of 'hostname' contains a line break");
    }

    @Test
    void anInstalledBootOnceMachineLeavesForItsDiskTheWayItsFirmwareCan() throws Exception {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "profile: install", "bootOnce: true");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        BootState state = new BootState(tmp.resolve("state"));
        BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withInstalls(state));
        Machine uefi = new Machine(NODE1, Firmware.EFI_X64, true, Optional.empty());
        Machine bios = new Machine(NODE1, Firmware.BIOS, true, Optional.empty());
        assertThat(IpxeScript.render(planner.plan(uefi).orElseThrow())).contains("kernel http://");
        state.markInstalled(NODE1, java.time.Instant.parse("2026-11-23T03:00:00Z"));
        assertThat(IpxeScript.render(planner.plan(uefi).orElseThrow())).endsWith("exit\n").doesNotContain("kernel ");
        assertThat(IpxeScript.render(planner.plan(bios).orElseThrow())).endsWith("sanboot --no-describe --drive 0x80\n");
        // A machine without bootOnce installs on every boot, whatever the state says.
        assertThat(IpxeScript.render(planner.plan(new Machine(NODE2, Firmware.EFI_X64, true, Optional.empty()))
                .orElseThrow())).contains("kernel http://");
    }

    @Test
    void anHttpBootMachineLeavesItsPxeFirmwareUnansweredAndBootsByHttpBootAndIpxe() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "profile: install", "httpBoot: true");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
        assertThat(planner.plan(new Machine(NODE1, Firmware.EFI_X64, false, Optional.empty())))
                .as("UEFI PXE firmware: no boot file, so HTTP Boot runs next").isEmpty();
        assertThat(planner.plan(new Machine(NODE1, Firmware.BIOS, false, Optional.empty()))).as("BIOS PXE").isEmpty();
        assertThat(planner.plan(new Machine(NODE1, Firmware.HTTP_X64, false, Optional.empty())).orElseThrow()
                .bootFile()).as("HTTP Boot gets the loader by URL").startsWith("http://").endsWith("/ipxe.efi");
        assertThat(IpxeScript.render(planner.plan(new Machine(NODE1, Firmware.EFI_X64, true, Optional.empty()))
                .orElseThrow())).as("the iPXE it loads gets its script").contains("kernel http://");
        assertThat(planner.plan(new Machine(NODE2, Firmware.EFI_X64, false, Optional.empty())))
                .as("a machine without httpBoot: its PXE firmware is answered").isPresent();
        assertThat(planner.explain(NODE1, Optional.empty()).orElseThrow().dhcp())
                .as("explain says so").containsEntry("efi-x64",
                        "not answered: httpBoot: true (the firmware goes on to UEFI HTTP Boot)")
                .hasEntrySatisfying("http-x64", url -> assertThat(url).endsWith("/ipxe.efi"));
    }
}
