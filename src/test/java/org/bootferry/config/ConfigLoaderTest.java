package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void kernelOnDisk() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.blob("boot/initrd.img", 100);
    }

    private ConfigDir goodMachine(String fileName) {
        return config.file("machines/" + fileName,
                "hostname: node-01",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img]}",
                "  kernelArgs: console=ttyS0");
    }

    @Test
    void machineFilesAreKeyedByTheMacInTheirName() {
        goodMachine("52-54-00-12-34-56.yaml");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        MachineFile machine = snapshot.machine(MacAddress.parse("52:54:00:12:34:56")).orElseThrow();
        assertThat(machine.config().hostname()).isEqualTo("node-01");
        assertThat(machine.config().kernelBoot().files().kernel())
                .isEqualTo(config.dir().resolve("boot/vmlinuz").toAbsolutePath().toString());
        assertThat(snapshot.machine(MacAddress.parse("52:54:00:12:34:57"))).isEmpty();
    }

    @Test
    void defaultsApplyWithoutServerYaml() {
        ServerSettings s = ConfigLoader.load(config.dir()).settings();
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.tftpPort()).isEqualTo(69);
        assertThat(s.dhcpPort()).isEqualTo(67);
        assertThat(s.pxePort()).isEqualTo(4011);
        assertThat(s.dhcp()).isEqualTo(ServerSettings.Dhcp.PROXY);
        assertThat(s.tftpRoot()).isEqualTo(tmp.resolve("tftproot").toAbsolutePath());
        assertThat(s.loaders()).containsEntry("bios", "undionly.kpxe").containsEntry("efi-x64", "ipxe.efi");
    }

    @Test
    void commandLineOverridesWinOverServerYaml() {
        config.file("server.yaml", "httpPort: 9000", "tftpPort: 6969");
        ServerSettings s = ConfigLoader.load(config.dir(), Map.of("httpPort", 8081)).settings();
        assertThat(s.httpPort()).isEqualTo(8081);
        assertThat(s.tftpPort()).isEqualTo(6969);
    }

    /** Neither error quotes the value written: messages name the file, line and key (issue 18). */
    @Test
    void accessAndItsLifetimeTakeOnlyWhatTheySay() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "access: wide-open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        config.file("server.yaml", "access: {lifetime: 30s}");
        assertThat(ConfigLoader.load(config.dir()).errors()).map(Object::toString).containsExactlyInAnyOrder(
                config.dir().resolve("server.yaml") + ":1: access.lifetime: write a time from 1m to 7d (e.g. 6h, 90m, 1d):"
                        + " how long a machine's capability URLs work after it booted",
                config.dir().resolve("machines/52-54-00-12-34-56.yaml") + ":2: access: write 'capability' (the default:"
                        + " its URLs carry a per-boot capability) or 'open' (static URLs)");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        config.file("server.yaml", "access: {lifetime: 1d}");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.settings().access().lifetime()).isEqualTo(java.time.Duration.ofDays(1));
        assertThat(snapshot.machines().values()).singleElement().satisfies(m -> assertThat(m.config().openAccess()).isTrue());
    }

    @Test
    void misspeltKeyIsReportedWithItsLineAndTheKeyMeant() {
        config.file("machines/52-54-00-12-34-56.yaml",
                "hostname: node-01",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "  kernelArg: console=ttyS0");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).singleElement().hasToString(config.dir().resolve("machines/52-54-00-12-34-56.yaml")
                + ":4: unknown key 'kernelArg' in 'kernelBoot' (did you mean 'kernelArgs'?)");
        assertThat(snapshot.machines()).isEmpty();
    }

    @Test
    void yamlSyntaxErrorNamesItsLine() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "kernelBoot:", "  files: {kernel: x",
                "hostname: node-02");
        ConfigError error = ConfigLoader.load(config.dir()).errors().get(0);
        assertThat(error.line()).isGreaterThanOrEqualTo(2);
        assertThat(error.message()).startsWith("YAML syntax error");
    }

    @Test
    void wrongTypeSaysWhatWasExpected() {
        config.file("server.yaml", "httpPort: eighty");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement()
                .hasToString(config.dir().resolve("server.yaml") + ":1: 'httpPort': the value is not a whole number");
    }

    @Test
    void aFractionWhereAWholeNumberBelongsIsAnErrorNotCutOff() {
        config.file("server.yaml", "httpPort: 8080.5");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement()
                .hasToString(config.dir().resolve("server.yaml") + ":1: 'httpPort': the value is not a whole number");
    }

    @Test
    void anEmptyLoaderOrAddressBlockIsAnErrorOnItsLine() {
        config.file("server.yaml", "loaders:", "  bios:", "  efi-x64: ipxe.efi", "api:", "  allowFrom: [~, 10.0.0.0/8]");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).extracting(ConfigError::line, ConfigError::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2,
                        "loaders.bios: no loader named (write e.g. bios: undionly.kpxe, a file in tftpRoot)"),
                org.assertj.core.groups.Tuple.tuple(5,
                        "api.allowFrom: an empty entry (write an address block, e.g. 10.0.0.0/8)"));
        assertThat(snapshot.settings().loaders()).containsEntry("bios", "undionly.kpxe");
        assertThat(snapshot.settings().api().allowFrom()).containsExactly("10.0.0.0/8");
    }

    @Test
    void anEmptyInitrdEntryIsAnErrorOnItsLine() {
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz, initrd: [~]}");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().hasToString(
                config.dir().resolve("machines/52-54-00-12-34-56.yaml") + ":2: kernelBoot.files.initrd: an empty entry"
                        + " (write a path, relative to " + config.dir() + ")");
    }

    @Test
    void aDirectoryIsOneValueWrittenOutOrLeftToItsDefault() {
        Path relative = Path.of("").toAbsolutePath().relativize(config.dir());
        ServerSettings defaults = ConfigLoader.load(relative).settings();
        config.file("server.yaml", "state: ../state", "cache: ../cache", "tftpRoot: ../tftproot");
        ServerSettings written = ConfigLoader.load(relative).settings();
        assertThat(written.state()).isEqualTo(defaults.state()).isEqualTo(tmp.resolve("state"));
        assertThat(written.cache()).isEqualTo(defaults.cache()).isEqualTo(tmp.resolve("cache"));
        assertThat(written.tftpRoot()).isEqualTo(defaults.tftpRoot()).isEqualTo(tmp.resolve("tftproot"));
        assertThat(RestartKeys.pending(defaults, written)).isEmpty();
    }

    @Test
    void oneBadFileLeavesTheOthersIn() {
        goodMachine("52-54-00-12-34-56.yaml");
        config.file("machines/52-54-00-12-34-57.yaml", "hostnme: node-02");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).singleElement().extracting(ConfigError::message)
                .isEqualTo("unknown key 'hostnme' (did you mean 'hostname'?)");
        assertThat(snapshot.machines()).containsOnlyKeys(MacAddress.parse("52:54:00:12:34:56"));
    }

    @Test
    void fileNamesMustBeMacs() {
        goodMachine("node-01.yaml");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().extracting(ConfigError::message)
                .asString().startsWith("file name is not a MAC address");
    }

    @Test
    void twoSpellingsOfOneMacAreAConflict() {
        goodMachine("52-54-00-12-34-56.yaml");
        goodMachine("5254.0012.3456.yaml");
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).extracting(e -> e.file().getFileName() + ": " + e.message()).containsExactly(
                "52-54-00-12-34-56.yaml: MAC 52:54:00:12:34:56 also has 5254.0012.3456.yaml: keep one file per MAC"
                        + " (neither is in force)",
                "5254.0012.3456.yaml: MAC 52:54:00:12:34:56 also has 52-54-00-12-34-56.yaml: keep one file per MAC"
                        + " (neither is in force)");
        assertThat(snapshot.machines()).isEmpty();
    }

    @Test
    void aSecondSpellingOfAMacInForceIsAnErrorOnBothAndTakesNothingOver() {
        config.file("machines/52-54-00-0a-00-01.yaml", "hostname: old", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: old");
        ConfigLoader loader = new ConfigLoader(config.dir(), Map.of());
        loader.load().requireValid();
        loader.commit();
        // Sorts first ('A' < 'a'): the order of names must not decide who owns the MAC.
        config.file("machines/52-54-00-0A-00-01.yaml", "hostname: newcomer", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: newcomer");
        ConfigSnapshot snapshot = loader.load();
        assertThat(snapshot.machines().get(MacAddress.parse("52:54:00:0a:00:01")).config().hostname()).isEqualTo("old");
        assertThat(snapshot.errors()).extracting(e -> e.file().getFileName().toString())
                .containsExactly("52-54-00-0A-00-01.yaml", "52-54-00-0a-00-01.yaml");
        assertThat(snapshot.errors()).allSatisfy(e -> assertThat(e.message())
                .contains("keep one file per MAC (52-54-00-0a-00-01.yaml stays in force)"));
    }

    @Test
    void missingKernelFileAndTemplateAreErrorsOnTheirLines() {
        config.file("machines/52-54-00-12-34-56.yaml",
                "hostname: node-01",
                "kernelBoot:",
                "  files:",
                "    kernel: boot/missing",
                "kickstart: nope.ks");
        assertThat(ConfigLoader.load(config.dir()).errors()).extracting(ConfigError::line, ConfigError::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(4, "kernel file not found or not readable: "
                                + config.dir().resolve("boot/missing").toAbsolutePath()),
                        org.assertj.core.groups.Tuple.tuple(5, "template 'nope.ks' not found in "
                                + config.dir().resolve("templates")));
    }

    @Test
    void unknownProfileSuggestsTheNearestOne() {
        config.file("profiles/fedora-install.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: n", "profile: fedora-instal");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.message()).startsWith("profile 'fedora-instal' not found (did you mean 'fedora-install'?)");
        });
    }

    @Test
    void strayFilesAreReportedButEditorBackupsAreNot() {
        config.file("machines/notes.txt", "hello");
        config.file("machines/.52-54-00-12-34-56.yaml.swp", "x");
        config.file("machines/52-54-00-12-34-56.yaml~", "x");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().extracting(ConfigError::message)
                .asString().startsWith("not a .yaml file");
    }

    @Test
    void httpLimitsAreSettingsWithRangesChecked() {
        config.file("server.yaml", "http:", "  maxConnectionsPerClient: 4", "  maxPullWaits: 100",
                "  requestTimeout: 5");
        assertThat(ConfigLoader.load(config.dir()).settings().http()).isEqualTo(new ServerSettings.Http(4, 8192, 8, 100,
                java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(5)));
        config.file("server.yaml", "http:", "  maxConnections: 0");
        assertThat(ConfigLoader.load(config.dir()).errors()).extracting(ConfigError::line, ConfigError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "http.maxConnections: 0 is out of range (1-1000000)"));
    }

    @Test
    void tftpLimitsAreSettingsWithRangesChecked() {
        config.file("server.yaml", "tftp:", "  maxWindowSize: 16", "  maxSessions: 50", "  rolloverTo: 1",
                "  timeoutMillis: 500", "  maxSessionsPerClient: 4");
        ServerSettings.Tftp t = ConfigLoader.load(config.dir()).settings().tftp();
        assertThat(t).isEqualTo(new ServerSettings.Tftp(65464, 16, java.time.Duration.ofMillis(500), 5, 50, 4, true));
        config.file("server.yaml", "tftp:", "  maxWindowSize: 65", "  rolloverTo: 2");
        assertThat(ConfigLoader.load(config.dir()).errors()).extracting(ConfigError::line, ConfigError::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3, "tftp.rolloverTo: 2 is neither 0 (after block 65535 comes 0,"
                                + " as tftp-hpa and most clients expect) nor 1"),
                        org.assertj.core.groups.Tuple.tuple(2, "tftp.maxWindowSize: 65 is out of range (1-64)"));
    }

    @Test
    void aFileOverTheLimitIsRefusedAfterReadingOnlyTheLimit() throws Exception {
        Path big = config.dir().resolve("machines/52-54-00-12-34-56.yaml");
        java.nio.file.Files.createDirectories(big.getParent());
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(big,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap("hostname: \"".getBytes()), 0);
            f.write(java.nio.ByteBuffer.wrap("\"".getBytes()), 32L << 20); // 32 MiB, sparse between
        }
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().hasToString(
                big + ": larger than 1 MiB, the limit for a config file");
    }

    @Test
    void aLineOverTheLimitIsRefusedWithItsNumberAndNotItsText() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01",
                "vars: {key: \"" + "s3cret".repeat(12_000) + "\"}");
        assertThat(ConfigLoader.load(config.dir()).errors()).singleElement().hasToString(
                config.dir().resolve("machines/52-54-00-12-34-56.yaml")
                        + ":2: line longer than 64 KiB, the limit for a line of a config file");
    }

    @Test
    void errorsNameTheKeyNeverTheValue() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "bootOnce: hunter2-password");
        config.file("machines/52-54-00-12-34-57.yaml", "root:$6$saltsalt$hash:20228:0:99999:7:::: x");
        assertThat(ConfigLoader.load(config.dir()).errors()).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("machines/52-54-00-12-34-56.yaml") + ":2: 'bootOnce': the value is not true or false",
                config.dir().resolve("machines/52-54-00-12-34-57.yaml") + ":1: an unknown key that is no key name");
    }
}
