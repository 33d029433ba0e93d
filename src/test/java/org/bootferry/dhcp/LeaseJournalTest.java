package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease journal on a real file system: what a reopen finds after writes, a torn tail, damage and compaction. */
class LeaseJournalTest {

    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path dir;

    private static Lease lease(String ip, long expires) {
        return new Lease(Ipv4.parse(ip).orElseThrow(), Optional.of(MAC), expires);
    }

    @Test
    void whatWasAcknowledgedIsThereAfterAReopen() throws Exception {
        try (LeaseJournal journal = new LeaseJournal(dir)) {
            journal.put(lease("10.20.0.100", 1000)).get();
            journal.put(lease("10.20.0.100", 2000)).get();
            journal.put(new Lease(Ipv4.parse("10.20.0.101").orElseThrow(), Optional.empty(), 3000)).get();
        }
        try (LeaseJournal again = new LeaseJournal(dir)) {
            assertThat(again.leases()).containsExactlyInAnyOrder(lease("10.20.0.100", 2000),
                    new Lease(Ipv4.parse("10.20.0.101").orElseThrow(), Optional.empty(), 3000));
        }
    }

    @Test
    void aTornLastWriteIsCutOffAndWritingGoesOn() throws Exception {
        try (LeaseJournal journal = new LeaseJournal(dir)) {
            journal.put(lease("10.20.0.100", 1000)).get();
        }
        Path file = dir.resolve("leases.journal");
        Files.writeString(file, LeaseJournal.format(lease("10.20.0.101", 5)).substring(0, 12), StandardOpenOption.APPEND);
        try (LeaseJournal journal = new LeaseJournal(dir)) {
            assertThat(journal.leases()).containsExactly(lease("10.20.0.100", 1000));
            journal.put(lease("10.20.0.102", 7)).get();
        }
        try (LeaseJournal journal = new LeaseJournal(dir)) {
            assertThat(journal.leases()).containsExactlyInAnyOrder(lease("10.20.0.100", 1000), lease("10.20.0.102", 7));
        }
    }

    @Test
    void damageFollowedByGoodRecordsIsRefusedNotReadPast() throws Exception {
        Files.writeString(dir.resolve("leases.journal"), LeaseJournal.format(lease("10.20.0.100", 1))
                + "10.20.0.101 52:54:00:12:34:56 2 00000000\n" + LeaseJournal.format(lease("10.20.0.102", 3)),
                StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new LeaseJournal(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("is damaged at line 2 (good records follow it)");
    }

    @Test
    void compactionKeepsTheLatestRecordOfEveryAddress() throws Exception {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        try (LeaseJournal journal = new LeaseJournal(dir)) {
            for (int i = 0; i < 20_000; i++) {
                writes.add(journal.put(lease("10.20.0." + (100 + i % 10), i)));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
        }
        assertThat(Files.readAllLines(dir.resolve("leases.journal")).size()).isLessThan(20_000);
        try (LeaseJournal journal = new LeaseJournal(dir)) {
            assertThat(journal.leases()).hasSize(10).contains(lease("10.20.0.109", 19_999), lease("10.20.0.100", 19_990));
        }
    }
}
