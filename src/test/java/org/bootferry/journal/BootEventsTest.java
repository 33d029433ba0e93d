package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
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
}
