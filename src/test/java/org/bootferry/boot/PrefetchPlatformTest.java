package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineFile;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which platform a machine file's image is prefetched for, before the machine's firmware asks. */
class PrefetchPlatformTest {

    private static final MacAddress BOOTED = MacAddress.parse("52:54:00:a3:00:01");
    private static final MacAddress NEW = MacAddress.parse("52:54:00:a3:00:02");

    @TempDir
    Path tmp;
    ConfigSnapshot snapshot;

    @BeforeEach
    void files() {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.file("server.yaml", "advertise: 192.0.2.4");
        String image = "kernelBoot: {container: {image: registry.lab:5000/os:1}}";
        config.file("machines/arm.yaml", "match: {macs: [\"52:54:01\"], arch: efi-arm64}", image);
        config.file("machines/" + BOOTED.dashed() + ".yaml", image);
        config.file("machines/" + NEW.dashed() + ".yaml", image);
        snapshot = ConfigLoader.load(config.dir()).requireValid();
    }

    /** A journal in which {@link #BOOTED} was last offered a boot file as an arm64 UEFI machine, after a BIOS one. */
    private static final BootHistory HISTORY = new BootHistory() {
        @Override
        public List<BootEvent> recent(Optional<MacAddress> mac, int limit) {
            return lastBoot(mac.orElseThrow());
        }

        @Override
        public List<BootEvent> lastBoot(MacAddress mac) {
            return mac.equals(BOOTED) ? List.of(BootEvent.now(mac, BootEvent.Stage.DHCP_OFFER, "bios -> undionly.kpxe"),
                    BootEvent.now(mac, BootEvent.Stage.DHCP_OFFER, "efi-arm64 -> snp.efi"),
                    BootEvent.now(mac, BootEvent.Stage.TFTP, "snp.efi")) : List.of();
        }

        @Override
        public Map<MacAddress, List<BootEvent>> lastBoots() {
            return Map.of(BOOTED, lastBoot(BOOTED));
        }
    };

    private MachineFile file(String name) {
        return snapshot.rules().files().stream().filter(f -> f.file().getFileName().toString().equals(name))
                .findFirst().or(() -> snapshot.machines().values().stream()
                        .filter(f -> f.file().getFileName().toString().equals(name)).findFirst()).orElseThrow();
    }

    @Test
    void aMatchFilesArchComesFirst() {
        assertThat(Prefetch.firmwares(file("arm.yaml"), HISTORY)).containsExactly(Firmware.EFI_ARM64);
    }

    @Test
    void aMacThatBootedBeforeGetsTheFirmwareOfItsLatestOffer() {
        assertThat(Prefetch.firmwares(file(BOOTED.dashed() + ".yaml"), HISTORY)).containsExactly(Firmware.EFI_ARM64);
    }

    @Test
    void aMacNeverSeenGetsLinuxAmd64() {
        List<Firmware> firmwares = Prefetch.firmwares(file(NEW.dashed() + ".yaml"), HISTORY);
        assertThat(firmwares).containsExactly(Firmware.BIOS);
        assertThat(ContainerBoot.request(snapshot, file(NEW.dashed() + ".yaml"),
                file(NEW.dashed() + ".yaml").config().kernelBoot().container(), firmwares.get(0)).platform())
                .hasToString("linux/amd64");
    }
}
