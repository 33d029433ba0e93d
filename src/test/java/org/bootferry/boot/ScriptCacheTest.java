package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootState;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine's iPXE script is planned once a second ({@link ScriptCache}), and is still what its plan
 * says: after an edit of its file, an install reported done or reset, at another address, and with
 * the capability a plan of that second carries. The clock stands still unless a test moves it, so
 * every request below but the ones after a move falls in one second.
 */
class ScriptCacheTest {

    static final MacAddress OPEN = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress PRIVATE = MacAddress.parse("52:54:00:12:34:57");

    @TempDir
    Path tmp;
    ConfigDir config;
    final AtomicReference<ConfigSnapshot> snapshot = new AtomicReference<>();
    final TestClock clock = new TestClock(Instant.parse("2026-12-04T19:00:00.250Z"));
    BootState state;
    BootPlanner planner;

    @BeforeEach
    void twoMachines() throws Exception {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.blob("boot/initrd.img", 10);
        config.file("server.yaml", "advertise: 10.0.0.1", "httpPort: 8080");
        openMachine("console=ttyS0");
        config.file("machines/52-54-00-12-34-57.yaml", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}", "  kernelArgs: inst.ks={{kickstartUrl}}");
        reload();
        state = new BootState(tmp.resolve("state"));
        planner = new BootPlanner(BootPlanner.Dependencies.of(snapshot::get).withInstalls(state)
                .withCapabilities(Capabilities.of(new byte[32], clock)));
    }

    private void openMachine(String kernelArgs) {
        config.file("machines/52-54-00-12-34-56.yaml", "access: open", "bootOnce: true", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}", "  kernelArgs: " + kernelArgs);
    }

    private void reload() {
        snapshot.set(ConfigLoader.load(config.dir()).requireValid());
    }

    private static Machine ipxe(MacAddress mac, Firmware firmware, String server) throws Exception {
        return new Machine(mac, firmware, true, Optional.of(InetAddress.getByName(server)));
    }

    private String script(Machine machine) {
        return planner.script(machine).orElseThrow().text();
    }

    /** What the plan says now, rendered: what the script must be. */
    private String planned(Machine machine) {
        return IpxeScript.render(planner.plan(machine).orElseThrow());
    }

    @Test
    void anEditOfTheMachineFileIsInTheNextScriptWithinTheSameSecond() throws Exception {
        Machine machine = ipxe(OPEN, Firmware.BIOS, "10.0.0.1");
        assertThat(script(machine)).contains(" console=ttyS0\n");
        for (int edit = 1; edit <= 20; edit++) {
            openMachine("console=ttyS" + edit);
            reload();
            assertThat(script(machine)).as("after edit " + edit).contains(" console=ttyS" + edit + "\n")
                    .isEqualTo(planned(machine));
        }
    }

    @Test
    void anInstallReportedDoneOrResetIsInTheNextScriptWithinTheSameSecond() throws Exception {
        Machine machine = ipxe(OPEN, Firmware.EFI_X64, "10.0.0.1");
        assertThat(script(machine)).contains("kernel http://10.0.0.1:8080/boot/52-54-00-12-34-56/kernel");
        assertThat(planner.script(machine).orElseThrow().localBoot()).isFalse();
        state.markInstalled(OPEN, clock.instant());
        assertThat(script(machine)).endsWith("exit\n").doesNotContain("kernel ").isEqualTo(planned(machine));
        assertThat(planner.script(machine).orElseThrow().localBoot()).isTrue();
        state.reset(OPEN);
        assertThat(script(machine)).contains("kernel http://").isEqualTo(planned(machine));
    }

    @Test
    void eachFirmwareAndAddressGetsItsOwnScript() throws Exception {
        Machine bios = ipxe(OPEN, Firmware.BIOS, "10.0.0.1");
        Machine elsewhere = ipxe(OPEN, Firmware.BIOS, "192.168.7.1");
        state.markInstalled(OPEN, clock.instant());
        Machine uefi = ipxe(OPEN, Firmware.EFI_X64, "10.0.0.1");
        assertThat(script(bios)).endsWith("sanboot --no-describe --drive 0x80\n");
        assertThat(script(uefi)).endsWith("exit\n");
        state.reset(OPEN);
        assertThat(script(bios)).contains("http://10.0.0.1:8080/").isEqualTo(planned(bios));
        assertThat(script(elsewhere)).contains("http://192.168.7.1:8080/").doesNotContain("10.0.0.1")
                .isEqualTo(planned(elsewhere));
    }

    @Test
    void aPrivateMachinesScriptCarriesTheCapabilityOfItsSecond() throws Exception {
        Machine machine = ipxe(PRIVATE, Firmware.BIOS, "10.0.0.1");
        String first = script(machine);
        Capability issued = planner.plan(machine).orElseThrow().capability().orElseThrow();
        assertThat(first).contains("/" + issued + "/").isEqualTo(planned(machine));
        clock.advance(Duration.ofMillis(700)); // 19:00:00.950, the same second
        assertThat(script(machine)).isSameAs(first);
        clock.advance(Duration.ofMillis(100)); // 19:00:01.050, the next
        String next = script(machine);
        Capability reissued = planner.plan(machine).orElseThrow().capability().orElseThrow();
        assertThat(reissued).isNotEqualTo(issued);
        assertThat(next).contains("/" + reissued + "/").doesNotContain(issued.toString()).isEqualTo(planned(machine));
    }

    @Test
    void aMachineNoFileAnswersGetsNoScript() throws Exception {
        assertThat(planner.script(ipxe(MacAddress.parse("52:54:00:00:00:01"), Firmware.BIOS, "10.0.0.1"))).isEmpty();
    }
}
