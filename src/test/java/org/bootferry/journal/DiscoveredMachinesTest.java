package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Sighting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveredMachinesTest {

    @TempDir
    Path state;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Sighting sighting(String mac, long second) {
        return new Sighting(MacAddress.parse(mac), Instant.ofEpochSecond(1_800_000_000L + second), Firmware.BIOS,
                "0 (x86 BIOS)", Optional.empty(), "PXEClient:Arch:00000:UNDI:002001", false, "relay 10.1.0.1");
    }

    @Test
    void pastItsCapacityTheMachineUnseenLongestIsDroppedAndCounted() throws IOException {
        try (DiscoveredMachines machines = new DiscoveredMachines(state, 2, registry)) {
            machines.saw(sighting("52:54:00:00:00:01", 1));
            machines.saw(sighting("52:54:00:00:00:02", 2));
            machines.saw(sighting("52:54:00:00:00:01", 3)); // seen again: now the newest
            machines.saw(sighting("52:54:00:00:00:03", 4));

            assertThat(machines.discovered()).extracting(d -> d.mac().toString())
                    .containsExactly("52:54:00:00:00:03", "52:54:00:00:00:01");
            Discovered first = machines.discovered().get(1);
            assertThat(first.requests()).isEqualTo(2);
            assertThat(first.firstSeen()).isEqualTo(sighting("52:54:00:00:00:01", 1).time());
            assertThat(first.latest().time()).isEqualTo(sighting("52:54:00:00:00:01", 3).time());
            assertThat(machines.dropped()).isEqualTo(1);
            assertThat(registry.get("bootferry_discovered_dropped").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("bootferry_discovered_machines").gauge().value()).isEqualTo(2);
        }
    }

    @Test
    void aRestartKeepsTheListAndTheDroppedCount() throws IOException {
        try (DiscoveredMachines machines = new DiscoveredMachines(state, 2, registry)) {
            for (int i = 1; i <= 3; i++) {
                machines.saw(sighting("52:54:00:00:00:0" + i, i));
            }
        }
        try (DiscoveredMachines again = new DiscoveredMachines(state, 2, new SimpleMeterRegistry())) {
            assertThat(again.discovered()).extracting(d -> d.mac().toString())
                    .containsExactly("52:54:00:00:00:03", "52:54:00:00:00:02");
            assertThat(again.dropped()).isEqualTo(1);
            assertThat(again.discovered().get(0)).isEqualTo(new Discovered(sighting("52:54:00:00:00:03", 3),
                    sighting("52:54:00:00:00:03", 3).time(), 1));
        }
        try (DiscoveredMachines smaller = new DiscoveredMachines(state, 1, new SimpleMeterRegistry())) {
            assertThat(smaller.discovered()).extracting(d -> d.mac().toString()).containsExactly("52:54:00:00:00:03");
            assertThat(smaller.dropped()).isEqualTo(2);
        }
    }

    @Test
    void aFileThatIsNotDiscoverysIsAnErrorNamingItAndTheServerMovesItAside() throws IOException {
        Path file = state.resolve(DiscoveredMachines.FILE);
        Files.writeString(file, "{\"machines\": [{\"mac\": \"zz\"}]}");
        assertThatThrownBy(() -> DiscoveredMachines.read(state)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": not the JSON discovery writes");
        Files.writeString(file, "not json");
        assertThatThrownBy(() -> DiscoveredMachines.read(state)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": not the JSON discovery writes");
        try (DiscoveredMachines machines = new DiscoveredMachines(state, 2, registry)) {
            assertThat(machines.discovered()).isEmpty();
            assertThat(state.resolve(DiscoveredMachines.FILE + ".unreadable")).hasContent("not json");
            assertThat(file).doesNotExist();
        }
    }

    @Test
    void noFileIsAnEmptyList() throws IOException {
        assertThat(DiscoveredMachines.read(state)).isEqualTo(new DiscoveredMachines.Saved(java.util.List.of(), 0));
    }
}
