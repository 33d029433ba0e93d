package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapabilityKeyTest {

    @TempDir
    Path state;

    @Test
    void madeOnceOwnerOnlyAndKeptAcrossLoads() throws IOException {
        byte[] first = CapabilityKey.load(state);
        Path file = state.resolve(CapabilityKey.FILE);
        assertThat(first).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(CapabilityKey.load(state)).as("a restart reads the same key").isEqualTo(first);
        try (var entries = Files.list(state)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly(CapabilityKey.FILE);
        }
        StateDirectory.claim(state); // the key is one of the state directory's own files
    }

    @Test
    void aKeyOthersCanReadOrOfTheWrongSizeIsRefusedWithWhatToDo() throws IOException {
        Path file = state.resolve(CapabilityKey.FILE);
        CapabilityKey.load(state);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> CapabilityKey.load(state)).isInstanceOf(IOException.class)
                .hasMessageContaining("readable by others").hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.write(file, new byte[5]);
        assertThatThrownBy(() -> CapabilityKey.load(state)).isInstanceOf(IOException.class)
                .hasMessageContaining("holds 5 bytes, not 32").hasMessageContaining("delete it");
    }
}
