package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootEventsTest {

    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path tmp;

    @Test
    void journalLinesAreJsonWhateverTheDetailHolds() throws Exception {
        BootEvent e = new BootEvent(Instant.parse("2026-11-23T04:00:00Z"), MAC, BootEvent.Stage.FAILED,
                "kernel \"x\\y\" unavailable:\nline two\t\u0001", 12, 34);
        JsonNode line = new ObjectMapper().readTree(e.toJson());
        assertThat(line.get("time").asText()).isEqualTo("2026-11-23T04:00:00Z");
        assertThat(line.get("mac").asText()).isEqualTo(MAC.toString());
        assertThat(line.get("stage").asText()).isEqualTo("failed");
        assertThat(line.get("detail").asText()).isEqualTo(e.detail());
        assertThat(line.get("bytes").asLong()).isEqualTo(12);
        assertThat(line.get("millis").asLong()).isEqualTo(34);
    }

    @Test
    void aNewDhcpOfferStartsTheMachinesNextBootAndTheJournalGetsEveryEvent() throws Exception {
        Path journal = tmp.resolve("events.jsonl");
        try (BootEvents events = new BootEvents(new SimpleMeterRegistry(), Optional.of(journal), 100)) {
            events.record(BootEvent.now(MAC, BootEvent.Stage.DHCP_OFFER, "first boot"));
            events.record(BootEvent.now(MAC, BootEvent.Stage.SCRIPT, "script"));
            events.record(BootEvent.now(MAC, BootEvent.Stage.DHCP_OFFER, "second boot"));
            assertThat(events.lastBoot(MAC)).extracting(BootEvent::detail).containsExactly("second boot");
            assertThat(events.recent(Optional.of(MAC), 10)).hasSize(3);
        }
        assertThat(Files.readAllLines(journal)).hasSize(3).allSatisfy(l -> assertThat(l).contains("\"mac\":\"52:54:00:12:34:56\""));
    }

    @Test
    void aMachineThatAsksOnWithoutANewOfferKeepsItsNewestEventsUpToTheBound() throws Exception {
        try (BootEvents events = new BootEvents(new SimpleMeterRegistry(), Optional.empty(), 3)) {
            events.record(BootEvent.now(MAC, BootEvent.Stage.DHCP_OFFER, "offer"));
            for (int i = 1; i <= 5; i++) {
                events.record(BootEvent.now(MAC, BootEvent.Stage.SCRIPT, "script " + i));
            }
            assertThat(events.lastBoot(MAC)).extracting(BootEvent::detail)
                    .containsExactly("script 3", "script 4", "script 5");
            assertThat(events.lastBoots().get(MAC)).extracting(BootEvent::detail)
                    .containsExactly("script 3", "script 4", "script 5");
            events.record(BootEvent.now(MAC, BootEvent.Stage.DHCP_OFFER, "next boot"));
            assertThat(events.lastBoot(MAC)).extracting(BootEvent::detail).containsExactly("next boot");
        }
    }

    @Test
    void anInstallIsTimedFromTheFirstOfferOfItsBootToDone() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MacAddress other = MacAddress.parse("52:54:00:12:34:57");
        Instant t = Instant.parse("2026-11-23T04:00:00Z");
        try (BootEvents events = new BootEvents(registry, Optional.empty(), 100)) {
            events.record(at(t, MAC, BootEvent.Stage.DHCP_OFFER));
            events.record(at(t.plusSeconds(20), MAC, BootEvent.Stage.TFTP));
            events.record(at(t.plusSeconds(25), MAC, BootEvent.Stage.DHCP_OFFER)); // iPXE asks again: same boot
            events.record(at(t.plusSeconds(600), MAC, BootEvent.Stage.DONE));
            events.record(at(t.plusSeconds(700), MAC, BootEvent.Stage.DONE)); // no boot open: not timed
            events.record(at(t, other, BootEvent.Stage.DHCP_OFFER));
            events.record(at(t.plusSeconds(30), other, BootEvent.Stage.LOCAL_BOOT)); // ends it uncounted
            events.record(at(t.plusSeconds(40), other, BootEvent.Stage.DONE));
            events.record(at(t, other, BootEvent.Stage.DHCP_OFFER));
            // Never done: a later offer, past the time a boot is taken for abandoned, begins anew.
            Instant later = t.plus(BootDurations.ABANDONED).plusSeconds(1);
            events.record(at(later, other, BootEvent.Stage.DHCP_OFFER));
            events.record(at(later.plusSeconds(60), other, BootEvent.Stage.DONE));
        }
        Timer boots = registry.get("bootferry_boot_duration").timer();
        assertThat(boots.count()).isEqualTo(2);
        assertThat(boots.totalTime(TimeUnit.SECONDS)).isEqualTo(660);
    }

    private static BootEvent at(Instant time, MacAddress mac, BootEvent.Stage stage) {
        return new BootEvent(time, mac, stage, stage.id(), 0, 0);
    }
}
