package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event journal's file, rotated by size: N files kept, each bounded, no line lost or split among the kept. */
class RotatingFileTest {

    @TempDir
    Path dir;

    @Test
    void rotationKeepsNFilesOfBoundedSizeHoldingTheNewestLinesInOrder() throws Exception {
        Path file = dir.resolve("events.jsonl");
        List<String> written = new ArrayList<>();
        try (RotatingFile journal = new RotatingFile(file, () -> new JournalRotation(1000, 3))) {
            for (int batch = 0; batch < 50; batch++) {
                List<String> lines = IntStream.range(0, 10).mapToObj(i -> "{\"event\":" + (written.size() + i)
                        + ",\"detail\":\"" + "x".repeat(30) + "\"}").toList();
                written.addAll(lines);
                journal.append(lines);
            }
        }

        assertThat(dir.resolve("events.jsonl.4")).doesNotExist();
        List<String> kept = new ArrayList<>();
        for (String name : List.of("events.jsonl.3", "events.jsonl.2", "events.jsonl.1", "events.jsonl")) {
            Path p = dir.resolve(name);
            // A rotated file is full to within a line (~50 bytes); the current one is being filled.
            assertThat(Files.size(p)).as(name).isLessThanOrEqualTo(1000).isGreaterThan(name.endsWith("l") ? 0 : 900);
            kept.addAll(Files.readAllLines(p));
        }
        assertThat(kept).as("the newest lines, whole and in order").isEqualTo(
                written.subList(written.size() - kept.size(), written.size()));
    }

    @Test
    void anEditOfTheRotationAppliesToTheNextAppendAndALoweredKeepDeletesTheOlderFiles() throws Exception {
        Path file = dir.resolve("events.jsonl");
        AtomicReference<JournalRotation> rotation = new AtomicReference<>(new JournalRotation(100, 5));
        try (RotatingFile journal = new RotatingFile(file, rotation::get)) {
            for (int i = 0; i < 30; i++) {
                journal.append(List.of("line " + i + " " + "y".repeat(40)));
            }
            assertThat(dir.resolve("events.jsonl.5")).exists();

            rotation.set(new JournalRotation(100, 2));
            journal.append(List.of("after " + "z".repeat(60)));
            journal.append(List.of("after " + "z".repeat(60)));
        }

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("events.jsonl", "events.jsonl.1", "events.jsonl.2");
        }
    }

    @Test
    void aLineLongerThanTheSizeGetsAFileOfItsOwnAndAReopenedFileGoesOnFromItsSize() throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "an earlier run's line\n");
        try (RotatingFile journal = new RotatingFile(file, () -> new JournalRotation(50, 2))) {
            journal.append(List.of("l".repeat(80), "short"));
        }

        assertThat(Files.readAllLines(dir.resolve("events.jsonl.2"))).containsExactly("an earlier run's line");
        assertThat(Files.readAllLines(dir.resolve("events.jsonl.1"))).containsExactly("l".repeat(80));
        assertThat(Files.readAllLines(file)).containsExactly("short");
    }
}
