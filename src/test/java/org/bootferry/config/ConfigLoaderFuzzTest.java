package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.testing.Allocation;

/**
 * Jazzer on what an admin (or a typo) can put in a machine file: whatever the YAML, loading the
 * config directory returns a snapshot and never throws; a file it can't use is an error naming the
 * file, and the memory it takes follows the file's size (no alias bombs).
 */
class ConfigLoaderFuzzTest {

    private static final Path DIR = tempDir();
    private static final Path MACHINE = DIR.resolve("machines").resolve("52-54-00-12-34-56.yaml");

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("bfs-fuzz-config");
            Files.createDirectories(dir.resolve("machines"));
            Files.createDirectories(dir.resolve("templates"));
            Files.writeString(dir.resolve("templates").resolve("fedora.ks"), "network --hostname={{hostname}}\n");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void anyMachineFileLoadsToASnapshotOrAnError(byte[] yaml) throws Exception {
        Files.write(MACHINE, yaml);
        Allocation.bounded(yaml.length, 4096, 32 << 20, () -> {
            ConfigSnapshot snapshot = ConfigLoader.load(DIR);
            assertThat(snapshot).isNotNull();
            snapshot.errors().forEach(e -> assertThat(e.toString()).isNotBlank());
        });
    }
}
