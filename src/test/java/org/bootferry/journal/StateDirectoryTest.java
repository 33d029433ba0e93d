package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aNewDirectoryIsCreatedAndMarked() throws IOException {
        Path dir = tmp.resolve("var/lib/bootferry");
        StateDirectory.claim(dir);
        assertThat(StateDirectory.format(Files.readString(dir.resolve(StateDirectory.MARKER)))).contains(1);
        StateDirectory.claim(dir); // and claimed again at every start
    }

    @Test
    void anOlderBootferrysUnmarkedStateIsOurs() throws IOException {
        Files.createDirectories(tmp.resolve("installed"));
        Files.writeString(tmp.resolve("events.jsonl"), "{}\n");
        Files.createDirectories(tmp.resolve("lost+found"));
        StateDirectory.claim(tmp);
        assertThat(tmp.resolve(StateDirectory.MARKER)).exists();
    }

    @Test
    void anotherProgramsDirectoryIsRefusedUntouched() throws IOException {
        Files.createDirectories(tmp.resolve("dpkg"));
        Files.createDirectories(tmp.resolve("apt"));
        assertThatThrownBy(() -> StateDirectory.claim(tmp)).isInstanceOf(IOException.class)
                .hasMessage("it holds files that are not bootferry's (apt, dpkg) and no bootferry-state marker;"
                        + " choose an empty directory");
        assertThat(tmp.resolve(StateDirectory.MARKER)).doesNotExist();
        assertThat(tmp.resolve("installed")).doesNotExist();
    }

    @Test
    void aNewerFormatIsRefused() throws IOException {
        Files.writeString(tmp.resolve(StateDirectory.MARKER), "bootferry state directory\nformat 7\n");
        assertThatThrownBy(() -> StateDirectory.claim(tmp))
                .hasMessage("it was written by a newer bootferry (state format 7; this one knows 1)");
    }

    @Test
    void aFileInTheWayCannotBeUsed() throws IOException {
        Files.writeString(tmp.resolve("state"), "");
        assertThatThrownBy(() -> StateDirectory.claim(tmp.resolve("state"))).isInstanceOf(IOException.class);
    }
}
