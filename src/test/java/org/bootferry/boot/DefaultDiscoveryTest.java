package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.kernel.KernelDecoder;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in {@code config/examples/default-discovery.yaml}: copied to {@code machines/default.yaml}
 * it validates, and every firmware's iPXE of an unknown machine is handed the screen script as its
 * kernel, which says the machine's MAC, firmware and the file to create, and exits after a timeout.
 */
class DefaultDiscoveryTest {

    private static final Path SHIPPED = Path.of("config");
    private static final MacAddress UNKNOWN = MacAddress.parse("52:54:00:d1:5c:01");

    @TempDir
    Path tmp;

    private ConfigSnapshot shippedWithDiscovery() throws IOException {
        Path dir = ConfigDir.copyOf(SHIPPED, tmp.resolve("config")).dir();
        Files.copy(SHIPPED.resolve("examples/default-discovery.yaml"), dir.resolve("machines/default.yaml"));
        Files.writeString(dir.resolve("server.yaml"), "advertise: 192.0.2.10\n");
        return ConfigLoader.load(dir);
    }

    @Test
    void theExampleValidatesWithoutAWarningAndItsKernelIsAnIpxeScript() throws IOException {
        ConfigSnapshot snapshot = shippedWithDiscovery();

        assertThat(snapshot.errors()).isEmpty();
        assertThat(ConfigCheck.check(snapshot)).isEmpty();
        ConfigCheck.KernelFindings kernels = ConfigCheck.kernels(snapshot, BootPlanner.Dependencies.of(() -> snapshot));
        assertThat(kernels.errors()).isEmpty();
        assertThat(kernels.warnings()).isEmpty();
        KernelFormat format = KernelDecoder.decode(Files.readAllBytes(SHIPPED.resolve("examples/discovery.ipxe")));
        assertThat(format.kind()).isEqualTo(KernelFormat.Kind.IPXE_SCRIPT);
        assertThat(format.describe()).isEqualTo("an iPXE script");
        assertThat(snapshot.configured(UNKNOWN)).as("default.yaml names no MAC: discovery still lists it").isFalse();
    }

    @Test
    void everyFirmwaresIpxeOfAnUnknownMachineIsHandedTheScreen() throws IOException {
        ConfigSnapshot snapshot = shippedWithDiscovery();
        BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));

        for (Firmware firmware : new Firmware[] {Firmware.BIOS, Firmware.EFI_X64, Firmware.HTTP_X64}) {
            BootPlan plan = planner.plan(new Machine(UNKNOWN, firmware, true, java.util.Optional.empty())).orElseThrow();
            assertThat(IpxeScript.render(plan)).as(firmware.id()).isEqualTo("#!ipxe\n"
                    + "# bootferry: 52-54-00-d1-5c-01 (52:54:00:d1:5c:01)\n"
                    + "kernel http://192.0.2.10:8080/boot/52-54-00-d1-5c-01/CAPABILITY/kernel\n"
                    + "boot\n");
            assertThat(plan.kernel().orElseThrow().source()).endsWith("examples/discovery.ipxe");
        }
    }

    /**
     * What the screen says is iPXE's own settings ({@code netX} is the interface iPXE booted from;
     * {@code :hexhyp} prints a MAC with hyphens, the machine file's name), and it leaves by {@code exit}
     * after a {@code prompt} that times out: a failing command ends an iPXE script, so each one that
     * may fail carries {@code ||}.
     */
    @Test
    void theScreenNamesTheMachineFileAndExitsAfterATimeout() throws IOException {
        String script = Files.readString(SHIPPED.resolve("examples/discovery.ipxe"), StandardCharsets.US_ASCII);

        assertThat(script).startsWith("#!ipxe\n")
                .contains("echo   MAC       ${netX/mac}\n", "echo   config/machines/${netX/mac:hexhyp}.yaml\n",
                        "echo or run   bootferry adopt ${netX/mac} --profile NAME\n",
                        "prompt --timeout 30000 ")
                .endsWith("exit\n");
        assertThat(script.lines().filter(l -> l.startsWith("iseq ") || l.startsWith("prompt ")))
                .allMatch(l -> l.contains(" || "));
    }
}
