package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.ImageSettings;
import org.bootferry.image.Platform;
import org.bootferry.image.PullPolicy;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning {@code kernelBoot.container} machines: what is asked of the image, for which platform, with
 * which policy, before anything is pulled. No registry exists here, and none is needed: planning never pulls.
 */
class ContainerPlanTest {

    static final MacAddress NODE = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path tmp;
    ConfigDir config;
    ImageResolver resolver;

    @BeforeEach
    void emptyCache() throws Exception {
        config = new ConfigDir(tmp.resolve("config"));
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        resolver = new ImageResolver(ImageSettings.defaults(tmp.resolve("cache")));
    }

    @AfterEach
    void close() {
        resolver.close();
    }

    private void machine(String... containerLines) {
        String[] lines = new String[containerLines.length + 2];
        lines[0] = "kernelBoot:";
        lines[1] = "  container:";
        for (int i = 0; i < containerLines.length; i++) {
            lines[i + 2] = "    " + containerLines[i];
        }
        config.file("machines/52-54-00-12-34-56.yaml", lines);
    }

    private BootPlan plan(Machine machine) {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withImages(resolver, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                .plan(machine).orElseThrow();
    }

    private ImageRequest kernelRequest(Firmware firmware) {
        return ((ImageBootFile) plan(Machine.of(NODE, firmware)).kernel().orElseThrow()).request();
    }

    @Test
    void theMachinesFirmwareChoosesThePlatformNotThisServer() {
        machine("image: registry.lab/boot/fedora:42", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img");
        assertThat(kernelRequest(Firmware.EFI_ARM64).platform()).isEqualTo(Platform.parse("linux/arm64"));
        assertThat(kernelRequest(Firmware.HTTP_ARM64).platform()).isEqualTo(Platform.parse("linux/arm64"));
        assertThat(kernelRequest(Firmware.BIOS).platform()).isEqualTo(Platform.parse("linux/amd64"));
        assertThat(kernelRequest(Firmware.EFI_X64).platform()).isEqualTo(Platform.parse("linux/amd64"));
    }

    @Test
    void pullPolicyDefaultsAsKubernetesDoes() {
        machine("image: registry.lab/boot/fedora:42");
        assertThat(kernelRequest(Firmware.BIOS).pullPolicy()).isEqualTo(PullPolicy.IF_NOT_PRESENT);
        machine("image: registry.lab/boot/fedora");
        assertThat(kernelRequest(Firmware.BIOS).pullPolicy()).isEqualTo(PullPolicy.ALWAYS);
        machine("image: registry.lab/boot/fedora:latest");
        assertThat(kernelRequest(Firmware.BIOS).pullPolicy()).isEqualTo(PullPolicy.ALWAYS);
        machine("image: registry.lab/boot/fedora@sha256:" + "ab".repeat(32));
        assertThat(kernelRequest(Firmware.BIOS).pullPolicy()).isEqualTo(PullPolicy.IF_NOT_PRESENT);
        machine("image: registry.lab/boot/fedora:latest", "imagePullPolicy: Never");
        assertThat(kernelRequest(Firmware.BIOS).pullPolicy()).isEqualTo(PullPolicy.NEVER);
    }

    @Test
    void pullSecretIsTheNamedFileUnderSecrets() {
        config.file("secrets/lab-creds.json", "{\"auths\": {}}");
        machine("image: registry.lab/boot/fedora:42", "imagePullSecret: lab-creds");
        assertThat(kernelRequest(Firmware.BIOS).dockerConfig()).contains(config.dir().resolve("secrets/lab-creds.json"));
    }

    @Test
    void anUncachedImageHasAnInitrdWhenOneIsNamedOrConventionsChoose() {
        machine("image: registry.lab/boot/fedora:42", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img");
        BootPlan plan = plan(Machine.of(NODE, Firmware.BIOS));
        assertThat(plan.initrds()).singleElement().extracting(BootFile::source)
                .isEqualTo("image registry.lab/boot/fedora:42 initrd /boot/initrd.img for linux/amd64");
        assertThat(plan.kernel().orElseThrow().source()).isEqualTo("image registry.lab/boot/fedora:42 kernel /boot/vmlinuz for linux/amd64");
        machine("image: registry.lab/boot/fedora:42");
        assertThat(plan(Machine.of(NODE, Firmware.BIOS)).initrds()).hasSize(1);
        machine("image: registry.lab/boot/fedora:42", "kernelPath: /vmlinux"); // KubeVirt: initrdPath is optional
        assertThat(plan(Machine.of(NODE, Firmware.BIOS)).initrds()).isEmpty();
    }

    @Test
    void urlsOfArm64MachinesCarryTheirFirmwareSoHttpServesTheirArchitecture() {
        machine("image: registry.lab/boot/fedora:42", "kernelPath: /boot/vmlinuz", "initrdPath: /boot/initrd.img");
        BootPlan arm = plan(new Machine(NODE, Firmware.EFI_ARM64, true, Optional.empty()));
        assertThat(arm.bootFile()).isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe?firmware=efi-arm64");
        assertThat(arm.kernelUrl()).hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/kernel?firmware=efi-arm64");
        assertThat(arm.initrdUrl(0)).hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/initrd?firmware=efi-arm64");
        BootPlan x86 = plan(new Machine(NODE, Firmware.EFI_X64, true, Optional.empty()));
        assertThat(x86.bootFile()).isEqualTo("http://10.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe?firmware=efi-x64");
        assertThat(x86.kernelUrl()).hasToString("http://10.0.0.1:8080/boot/52-54-00-12-34-56/kernel");
    }

    @Test
    void withoutAResolverAContainerMachineIsNotPlannedButTheConfigStillChecks() {
        machine("image: registry.lab/boot/fedora:42");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        assertThatThrownBy(() -> new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot)).plan(Machine.of(NODE, Firmware.BIOS)))
                .isInstanceOf(BootPlanException.class).hasMessageContaining("image support is not configured");
        assertThat(ConfigCheck.check(snapshot)).isEmpty();
    }

    @Test
    void checkReportsAnImageReferenceThatDoesNotParse() {
        machine("image: registry.lab/Boot/Fedora:42");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        assertThat(ConfigCheck.check(snapshot)).extracting(ConfigError::message).singleElement().asString()
                .startsWith("kernelBoot.container.image: ");
    }
}
