package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VM specs under {@code machines/}, read as they are: the seeds' specs (src/test/resources/vmspecs,
 * copied unmodified from the documents bootferry started from) and bootferry's own of the same
 * shapes ({@code own-*.yaml}) give the machines, errors and warnings an admin reads.
 */
class VmSpecsTest {

    static final Path SPECS = Path.of("src/test/resources/vmspecs");

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void profile() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.file("profiles/fedora-install.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: inst.ks={{kickstartUrl}}");
    }

    private ConfigSnapshot load(String... specs) throws IOException {
        for (String spec : specs) {
            Path target = config.dir().resolve("machines").resolve(spec);
            Files.createDirectories(target.getParent());
            Files.copy(SPECS.resolve(spec), target);
        }
        return ConfigLoader.load(config.dir());
    }

    private static MachineConfig machine(ConfigSnapshot s, String mac) {
        return s.machine(MacAddress.parse(mac)).orElseThrow().config();
    }

    private List<String> errors(ConfigSnapshot s) {
        return s.errors().stream().map(e -> config.dir().relativize(e.file()) + ":" + e.line() + ": " + e.message()).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kubevirt-kernelboot.yaml|VirtualMachine ext-kernel-boot-vm",
        "kubevirt-kernelboot-containerdisk.yaml|VirtualMachine ext-kernel-boot-vm",
        "kubevirt-vmi-pvc.yaml|VirtualMachineInstance testvmi-pvc",
        "kubevirt-vmi-containerdisk.yaml|VirtualMachineInstance testvmi-containerdisk",
        "kubevirt-vmi-containerdisk-nocloud.yaml|VirtualMachineInstance testvmi-containerdisk",
    })
    void aKubeVirtSeedWithoutAFixedMacIsAnErrorSayingWhy(String spec, String subject) throws IOException {
        ConfigSnapshot s = load(spec);

        assertThat(s.machines()).isEmpty();
        assertThat(s.errors()).singleElement().satisfies(e -> assertThat(e.message()).isEqualTo(subject
                + ": no interface on a bridge or a Multus network to boot from: give the interface on the boot"
                + " network a fixed macAddress and bootOrder: 1 (without a fixed MAC the VM gets one that changes"
                + " when it is recreated, and bootferry knows a machine by its MAC)"));
    }

    @ParameterizedTest
    @CsvSource({"virtink-kernel-rootfs.yaml", "virtink-kernel-containerdisk.yaml"})
    void aVirtinkSeedWithoutAMacIsAnErrorSayingWhy(String spec) throws IOException {
        ConfigSnapshot s = load(spec);

        assertThat(errors(s)).containsExactly("machines/" + spec + ":3: VirtualMachine: no interface on a bridge or a"
                + " Multus network to boot from: give the interface on the boot network a fixed mac (without a fixed"
                + " MAC the VM gets one that changes when it is recreated, and bootferry knows a machine by its MAC)");
    }

    @Test
    void theSeedsFragmentsAndOldApiVersionsAreErrorsThatSayWhatIsMissing() throws IOException {
        ConfigSnapshot s = load("kubevirt-vm-interfaces.yaml", "kubevirt-vm-autoattach.yaml", "kubevirt-vmi-labels.yaml",
                "kubevirt-vmi-ephemeral.yaml", "kubevirt-v1alpha1-nocloud.yaml");

        assertThat(errors(s)).containsExactly(
                "machines/kubevirt-v1alpha1-nocloud.yaml:1: apiVersion kubevirt.io/v1alpha1 is not read: write the VM as"
                        + " kubevirt.io/v1 or kubevirt.io/v1alpha3 (as KubeVirt itself only serves those)",
                "machines/kubevirt-vm-autoattach.yaml:1: no apiVersion: a VM spec names its API, kubevirt.io/v1 or"
                        + " virt.virtink.smartx.com/v1alpha1",
                "machines/kubevirt-vm-interfaces.yaml:1: no apiVersion: a VM spec names its API, kubevirt.io/v1 or"
                        + " virt.virtink.smartx.com/v1alpha1",
                "machines/kubevirt-vmi-ephemeral.yaml:7: VirtualMachineInstance vmi-ephemeral: spec is missing or no mapping",
                "machines/kubevirt-vmi-labels.yaml:1: VirtualMachineInstance myvmi: spec is missing or no mapping");
    }

    @Test
    void theCnvPxeVmiHasItsMacButNoKernelWhichTheErrorSaysHowToGive() throws IOException {
        ConfigSnapshot s = load("cnv-vmi-pxe-boot.yaml");

        assertThat(errors(s)).containsExactly("machines/cnv-vmi-pxe-boot.yaml:8: VirtualMachineInstance vmi-pxe-boot: no"
                + " kernel to boot: give it firmware.kernelBoot.container (KubeVirt's external kernel boot) or the"
                + " annotation bootferry.org/profile: NAME (a profile with a kernel)");
        assertThat(s.machines()).isEmpty();
    }

    @Test
    void aKubeVirtKernelBootVmIsTheMachineFileItsFieldsName() throws IOException {
        ConfigSnapshot s = load("own-kubevirt-kernelboot-nocloud.yaml");

        assertThat(s.errors()).isEmpty();
        assertThat(s.warnings()).isEmpty();
        MachineConfig c = machine(s, "52:54:00:4b:00:07");
        assertThat(c.hostname()).isEqualTo("node-07");
        assertThat(c.kernelBoot().container()).isEqualTo(new MachineConfig.Container("registry.example.org/boot/fedora:42",
                "/boot/vmlinuz", "/boot/initramfs.img", "IfNotPresent", null));
        assertThat(c.kernelBoot().kernelArgs()).isEqualTo("console=ttyS0 rd.neednet=1 ip=dhcp");
        assertThat(c.bootOnce()).isTrue();
        assertThat(c.vars()).isEqualTo(Map.of("timezone", "UTC"));
        assertThat(c.cloudInitNoCloud().userData()).startsWith("#cloud-config\nhostname: node-07\n");
        assertThat(c.cloudInitNoCloud().networkDataText()).hasValueSatisfying(n -> assertThat(n).startsWith("version: 2\n"));
    }

    @Test
    void aVirtinkVmBootsItsKernelImagesVmlinuxWithItsCmdline() throws IOException {
        ConfigSnapshot s = load("own-virtink-bridge.yaml");

        assertThat(s.errors()).isEmpty();
        MachineConfig c = machine(s, "52:54:00:4b:00:0a");
        assertThat(c.hostname()).isEqualTo("ubuntu-container-rootfs");
        assertThat(c.kernelBoot().container()).isEqualTo(new MachineConfig.Container("smartxworks/virtink-kernel-5.15.12",
                "/vmlinux", null, null, null));
        assertThat(c.kernelBoot().kernelArgs()).isEqualTo("console=ttyS0 root=/dev/vda rw");
        assertThat(c.cloudInitNoCloud().userDataText()).isEqualTo("#cloud-config\npassword: ubuntu\n");
    }

    @Test
    void aProfileInAnAnnotationGivesTheCnvVmiItsKernel() throws IOException {
        ConfigSnapshot s = load("own-cnv-vmi-profile.yaml");

        assertThat(s.errors()).isEmpty();
        assertThat(s.warnings()).isEmpty();
        MachineConfig c = machine(s, "de:00:00:00:00:de");
        assertThat(c.hostname()).isEqualTo("vmi-pxe-boot");
        assertThat(c.profile()).isEqualTo("fedora-install");
        assertThat(c.kernelBoot()).isNull();
    }

    @Test
    void aMultiDocumentFileGivesEachVmAndLeavesOutWhatIsNoVmWithAWarning() throws IOException {
        ConfigSnapshot s = load("own-multi-document.yaml");

        assertThat(s.errors()).isEmpty();
        assertThat(machine(s, "52:54:00:4b:01:01").hostname()).isEqualTo("worker-1");
        assertThat(machine(s, "52:54:00:4b:01:02").hostname()).isEqualTo("worker-2");
        assertThat(s.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(48);
            assertThat(w.message()).isEqualTo("k8s.cni.cncf.io/v1 NetworkAttachmentDefinition is no VM spec: left out");
        });
    }

    @Test
    void theBootInterfaceWithoutAMacAndABadAnnotationAreErrorsOnTheirLines() {
        config.file("machines/vm.yaml",
                "apiVersion: kubevirt.io/v1",
                "kind: VirtualMachineInstance",
                "metadata:",
                "  name: pxe",
                "  annotations:",
                "    bootferry.org/profle: fedora-install",
                "spec:",
                "  domain:",
                "    devices:",
                "      interfaces:",
                "        - name: pxe-net",
                "          bridge: {}",
                "          bootOrder: 1");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(errors(s)).containsExactly("machines/vm.yaml:10: VirtualMachineInstance pxe: interface 'pxe-net'"
                + " (bootOrder 1) has no macAddress: without one the VM gets a MAC that changes when it is recreated"
                + " (KubeVirt's assigned MACs are not persistent), and bootferry knows a machine by its MAC; set"
                + " macAddress on it",
                "machines/vm.yaml:6: VirtualMachineInstance pxe: unknown annotation 'bootferry.org/profle' (did you mean"
                        + " 'profile'?) (known: bootferry.org/profile, bootferry.org/kickstart, bootferry.org/bootOnce,"
                        + " bootferry.org/vars)");
        config.file("machines/vm.yaml",
                "apiVersion: kubevirt.io/v1",
                "kind: VirtualMachineInstance",
                "metadata:",
                "  name: pxe",
                "  annotations:",
                "    bootferry.org/profle: fedora-install",
                "    bootferry.org/bootOnce: yes please",
                "spec:",
                "  domain:",
                "    devices:",
                "      interfaces:",
                "        - {name: pxe-net, bridge: {}, macAddress: 52:54:00:4b:02:01}");

        assertThat(errors(ConfigLoader.load(config.dir()))).containsExactly(
                "machines/vm.yaml:6: VirtualMachineInstance pxe: unknown annotation 'bootferry.org/profle' (did you mean"
                        + " 'profile'?) (known: bootferry.org/profile, bootferry.org/kickstart, bootferry.org/bootOnce,"
                        + " bootferry.org/vars)",
                "machines/vm.yaml:7: VirtualMachineInstance pxe: bootferry.org/bootOnce: write \"true\" or \"false\"");
    }

    @Test
    void whatChangesTheBootAndCanNotBeHonouredIsAWarningNamingIt() {
        config.file("machines/vm.yaml",
                "apiVersion: kubevirt.io/v1",
                "kind: VirtualMachineInstance",
                "metadata: {name: disk-first, annotations: {bootferry.org/profile: fedora-install}}",
                "spec:",
                "  domain:",
                "    devices:",
                "      disks:",
                "        - {name: root, bootOrder: 1}",
                "      interfaces:",
                "        - {name: pxe-net, bridge: {}, macAddress: 52:54:00:4b:02:02, bootOrder: 2}",
                "  volumes:",
                "    - name: cloudinit",
                "      cloudInitNoCloud:",
                "        secretRef: {name: my-vmi-secret}",
                "    - name: configdrive",
                "      cloudInitConfigDrive: {userData: '#cloud-config'}");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).isEmpty();
        assertThat(s.machine(MacAddress.parse("52:54:00:4b:02:02"))).isPresent();
        assertThat(s.warnings()).extracting(e -> e.line() + ": " + e.message()).containsExactly(
                "8: VirtualMachineInstance disk-first: disk 'root' has bootOrder 1, before the network: once it holds"
                        + " a system the VM boots it without asking bootferry",
                "14: VirtualMachineInstance disk-first: cloudInitNoCloud.secretRef: a Kubernetes secret, which bootferry"
                        + " can't read: its data is not served; write it inline",
                "16: VirtualMachineInstance disk-first: volume 'configdrive': cloudInitConfigDrive is not served"
                        + " (bootferry serves NoCloud): use cloudInitNoCloud");
    }

    @Test
    void aVirtualMachineOfAnotherApiIsNoVmSpecAndAFileWithoutOneIsAnError() {
        config.file("machines/vm.yaml", "apiVersion: vm.example.org/v1", "kind: VirtualMachine", "metadata: {name: x}",
                "spec: {}");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.warnings()).extracting(ConfigError::message)
                .containsExactly("vm.example.org/v1 VirtualMachine is no VM spec: left out");
        assertThat(errors(s)).containsExactly("machines/vm.yaml:0: no VM spec in it (a KubeVirt VirtualMachine or"
                + " VirtualMachineInstance, kubevirt.io/v1 or kubevirt.io/v1alpha3, or a Virtink VirtualMachine,"
                + " virt.virtink.smartx.com/v1alpha1)");
    }

    @Test
    void bootingFromThePodNetworkIsAWarning() {
        config.file("machines/vm.yaml",
                "apiVersion: kubevirt.io/v1",
                "kind: VirtualMachineInstance",
                "metadata: {name: pod-first, annotations: {bootferry.org/profile: fedora-install}}",
                "spec:",
                "  domain:",
                "    devices:",
                "      interfaces:",
                "        - {name: default, masquerade: {}, macAddress: 52:54:00:4b:02:03, bootOrder: 1}",
                "  networks:",
                "    - {name: default, pod: {}}");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).isEmpty();
        assertThat(s.warnings()).extracting(e -> e.line() + ": " + e.message()).containsExactly(
                "7: VirtualMachineInstance pod-first: interface 'default' (bootOrder 1) is on the pod network (masquerade"
                        + " or pod: {}): its DHCP requests stay in the pod and never reach bootferry; boot from an"
                        + " interface on a bridge or a Multus network");
    }

    @Test
    void aVmSpecAndAMachineFileForOneMacAreTheDuplicateEitherWouldBe() throws IOException {
        config.file("machines/de-00-00-00-00-de.yaml", "profile: fedora-install");

        ConfigSnapshot s = load("own-cnv-vmi-profile.yaml");

        assertThat(errors(s)).containsExactly(
                "machines/de-00-00-00-00-de.yaml:0: MAC de:00:00:00:00:de also has own-cnv-vmi-profile.yaml: keep one"
                        + " file per MAC (neither is in force)",
                "machines/own-cnv-vmi-profile.yaml:0: MAC de:00:00:00:00:de also has de-00-00-00-00-de.yaml: keep one"
                        + " file per MAC (neither is in force)");
    }

    @Test
    void theVmSpecInConfigMdLoadsAsTheMachineItDescribes() throws IOException {
        String doc = Files.readString(Path.of("docs/config.md"));
        String section = doc.substring(doc.indexOf("### VM specs as machine files"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```\n", section.indexOf("```yaml")));
        config.file("machines/node-07.yaml", yaml);

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).isEmpty();
        MachineConfig c = machine(s, "52:54:00:4b:00:07");
        assertThat(c.hostname()).isEqualTo("node-07");
        assertThat(c.bootOnce()).isTrue();
        assertThat(c.kernelBoot().container().image()).isEqualTo("registry.example.org/boot/fedora:42");
        assertThat(c.cloudInitNoCloud().userData()).isEqualTo("#cloud-config\nhostname: node-07\n");
    }

    @Test
    void aBrokenEditOfASpecKeepsItsLastGoodVersionInForce() throws IOException {
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        load("own-virtink-bridge.yaml");
        assertThat(loader.load().machines()).containsOnlyKeys(MacAddress.parse("52:54:00:4b:00:0a"));
        loader.commit();
        Path spec = config.dir().resolve("machines/own-virtink-bridge.yaml");
        Files.writeString(spec, Files.readString(spec).replace("mac: 52:54:00:4b:00:0a", "mac: 52:54:00:4b:00"));

        ConfigSnapshot s = loader.load();

        assertThat(errors(s)).containsExactly("machines/own-virtink-bridge.yaml:20: VirtualMachine ubuntu-container-rootfs:"
                + " interface 'boot': mac '52:54:00:4b:00' is not a MAC");
        assertThat(s.machines()).containsOnlyKeys(MacAddress.parse("52:54:00:4b:00:0a"));

        // An edit that leaves no spec (its type lines gone) is a machine file with errors: the spec stays.
        Files.writeString(spec, Files.readString(spec).replaceAll("(?m)^(apiVersion|kind):.*\n", ""));
        ConfigSnapshot plain = loader.load();
        assertThat(plain.errors()).isNotEmpty();
        assertThat(plain.machines()).containsOnlyKeys(MacAddress.parse("52:54:00:4b:00:0a"));
        loader.commit();
        assertThat(loader.load().machines()).as("still, after a commit of the broken load")
                .containsOnlyKeys(MacAddress.parse("52:54:00:4b:00:0a"));
    }
}
