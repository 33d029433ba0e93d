package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bootferry adopt}: the file it writes validates and boots; what it refuses, it says why. */
class AdoptCommandTest {

    @TempDir
    Path tmp;
    ConfigDir config;
    String dir;

    @BeforeEach
    void config() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.file("server.yaml", "advertise: 127.0.0.1");
        config.file("profiles/fedora-install.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        config.file("machines/52-54-00-12-34-56.yaml", "profile: fedora-install");
        dir = config.dir().toString();
    }

    @Test
    void adoptWritesAMachineFileThatValidatesAndIsAnswered() {
        Commands.Run r = Commands.bootferry("adopt", "52-54-00-AA-BB-CC", "--profile", "fedora-install",
                "--hostname", "node-cc", "--config", dir);
        Path file = config.dir().resolve("machines/52-54-00-aa-bb-cc.yaml");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("52:54:00:aa:bb:cc: wrote " + file + "; a running server puts it in force at its"
                + " config reload\n");
        assertThat(Commands.bootferry("validate", "--config", dir).out()).startsWith(dir + ": OK (2 machines");
        assertThat(Commands.bootferry("explain", "52:54:00:aa:bb:cc", "--config", dir).out()).contains("node-cc");
        assertThat(config.dir().resolve("machines")).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void anUnknownProfileIsRefusedWithTheNearestName() {
        Commands.Run r = Commands.bootferry("adopt", "52:54:00:aa:bb:cc", "--profile", "fedora-instal", "--config", dir);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("bootferry: no profile 'fedora-instal' (did you mean 'fedora-install'?);"
                + " profiles: fedora-install\n");
        assertThat(config.dir().resolve("machines/52-54-00-aa-bb-cc.yaml")).doesNotExist();
    }

    @Test
    void aMachineWithAFileIsNotAdoptedAgain() {
        Commands.Run r = Commands.bootferry("adopt", "52:54:00:12:34:56", "--profile", "fedora-install", "--config", dir);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("bootferry: 52:54:00:12:34:56 already has "
                + config.dir().resolve("machines/52-54-00-12-34-56.yaml") + ": edit that file instead\n");
    }

    @Test
    void aMachineAMatchFileServesIsNotAdopted() {
        config.file("machines/rack.yaml", "profile: fedora-install", "match: {macs: [\"52:54:00:ab:*\"]}");
        Commands.Run r = Commands.bootferry("adopt", "52:54:00:ab:00:01", "--profile", "fedora-install", "--config", dir);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("bootferry: 52:54:00:ab:00:01 is already served by "
                + config.dir().resolve("machines/rack.yaml") + " (match:): give it a file of its own by hand if it needs one\n");
    }

    @Test
    void aHostNameThatIsNotOneIsRefused() {
        Commands.Run r = Commands.bootferry("adopt", "52:54:00:aa:bb:cc", "--profile", "fedora-install",
                "--hostname", "node_1", "--config", dir);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("bootferry: 'node_1' is not a host name");
    }

    @Test
    void withoutAProfileItIsAUsageError() {
        assertThat(Commands.bootferry("adopt", "52:54:00:aa:bb:cc", "--config", dir).exit()).isEqualTo(2);
    }
}
