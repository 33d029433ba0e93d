package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.testing.Allocation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jazzer on what an admin (or a typo) can put in a machine file: whatever the YAML, loading the
 * config directory returns a snapshot and never throws; a file it can't use is an error naming the
 * file, and the memory it takes follows the file's size (no alias bombs).
 */
class ConfigLoaderFuzzTest {

    /** JUnit removes it after the class, whatever is in it. */
    @TempDir
    static Path dir;
    private static Path machine;

    @BeforeAll
    static void configDirectory() throws IOException {
        machine = Files.createDirectories(dir.resolve("machines")).resolve("52-54-00-12-34-56.yaml");
        Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("templates").resolve("fedora.ks"), "network --hostname={{hostname}}\n");
    }

    @FuzzTest(maxDuration = "2m")
    void anyMachineFileLoadsToASnapshotOrAnError(byte[] yaml) throws Exception {
        Files.write(machine, yaml);
        Allocation.bounded(yaml.length, 4096, 32 << 20, () -> {
            ConfigSnapshot snapshot = ConfigLoader.load(dir);
            assertThat(snapshot).isNotNull();
            snapshot.errors().forEach(e -> assertThat(e.toString()).isNotBlank());
        });
    }
}
