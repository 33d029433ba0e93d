package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Match files: one file for a batch of MACs, the most specific entry winning, a tie an error naming both. */
class MatchRulesTest {

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void kernel() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
    }

    private void machine(String name, String... head) {
        String[] lines = new String[head.length + 2];
        System.arraycopy(head, 0, lines, 0, head.length);
        lines[head.length] = "kernelBoot:";
        lines[head.length + 1] = "  files: {kernel: boot/vmlinuz}";
        config.file("machines/" + name, lines);
    }

    private static String fileOf(ConfigSnapshot snapshot, String mac) {
        return snapshot.machine(MacAddress.parse(mac)).map(f -> f.file().getFileName().toString()).orElse("none");
    }

    @Test
    void theMostSpecificEntryWinsAndAMacsOwnFileWinsOverAll() {
        machine("qemu.yaml", "hostname: any-qemu", "match: {macs: [\"52:54:00\"]}");
        machine("rack-a.yaml", "hostname: rack-a", "match:", "  macs: [\"52:54:00:aa:*\", 52-54-00-BB-00-01]");
        machine("52-54-00-aa-00-07.yaml", "hostname: own");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).isEmpty();
        assertThat(fileOf(s, "52:54:00:aa:00:05")).isEqualTo("rack-a.yaml");
        assertThat(fileOf(s, "52:54:00:bb:00:01")).isEqualTo("rack-a.yaml");
        assertThat(fileOf(s, "52:54:00:bb:00:02")).isEqualTo("qemu.yaml");
        assertThat(fileOf(s, "52:54:00:aa:00:07")).isEqualTo("52-54-00-aa-00-07.yaml");
        assertThat(fileOf(s, "00:16:3e:00:00:01")).isEqualTo("none");
        assertThat(s.configured(MacAddress.parse("52:54:00:cc:00:01"))).isTrue();
        assertThat(s.configured(MacAddress.parse("00:16:3e:00:00:01"))).isFalse();
        assertThat(s.machines()).containsOnlyKeys(MacAddress.parse("52:54:00:aa:00:07"));
    }

    @Test
    void twoFilesWithTheSameEntryAreAnErrorNamingBothAndTheLaterIsLeftOut() {
        machine("a.yaml", "hostname: a", "match: {macs: [\"52:54:00:aa:*\"]}");
        machine("b.yaml", "hostname: b", "match:", "  macs: [\"52-54-00-AA:*\"]");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(config.dir().resolve("machines/b.yaml"));
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.message()).isEqualTo("match: 52:54:00:aa:* is also in " + config.dir().resolve("machines/a.yaml")
                    + ": a MAC it matches would have two files of the same specificity; keep it in one of them");
        });
        assertThat(fileOf(s, "52:54:00:aa:00:01")).isEqualTo("a.yaml");
    }

    @Test
    void badEntriesAndMisplacedMatchesAreErrorsOnTheirLine() {
        machine("bad-glob.yaml", "match:", "  macs: [\"52:*:00\"]");
        machine("52-54-00-12-34-56.yaml", "match: {macs: [\"52:54:00\"]}");
        machine("no-match.yaml", "hostname: x");
        config.file("profiles/p.yaml", "match: {macs: [\"52:54:00\"]}");
        machine("with-ip.yaml", "ip: 10.0.0.5", "match: {macs: [\"52:54:01\"]}");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                config.dir().resolve("machines/bad-glob.yaml") + ":2: match.macs: '52:*:00' is not a MAC"
                        + " (52:54:00:aa:bb:cc), an OUI (52:54:00) or a prefix ending in :* (52:54:00:aa:*);"
                        + " a * stands only for the octets after a prefix",
                config.dir().resolve("machines/52-54-00-12-34-56.yaml") + ":1: match: is for a file that serves"
                        + " several machines: rename 52-54-00-12-34-56.yaml (e.g. rack-52-54-00.yaml); a file named by"
                        + " a MAC, or default.yaml, is that machine's",
                config.dir().resolve("machines/no-match.yaml") + ": file name is not a MAC address: name machine files"
                        + " by their MAC, e.g. 52-54-00-12-34-56.yaml, default.yaml for unknown machines, or give a file"
                        + " of another name match: {macs: [...]}",
                config.dir().resolve("profiles/p.yaml") + ":1: match: belongs in a machine file, not a profile",
                config.dir().resolve("machines/with-ip.yaml") + ":1: ip: a match file serves several machines;"
                        + " reserve an address in one machine's own file");
    }

    private static String fileOf(ConfigSnapshot snapshot, String mac, Firmware firmware) {
        return snapshot.machine(MacAddress.parse(mac), firmware).map(f -> f.file().getFileName().toString()).orElse("none");
    }

    @Test
    void anArchEntryServesOnlyItsFirmwareAndWinsOverTheSameEntryWithoutArch() {
        machine("qemu.yaml", "hostname: any", "match: {macs: [\"52:54:00\"]}");
        machine("qemu-efi.yaml", "hostname: efi", "match: {macs: [\"52:54:00\"], arch: efi-x64}");
        machine("arm.yaml", "hostname: arm", "match: {macs: [\"52:54:01:*\"], arch: efi-arm64}");
        machine("rack-a.yaml", "hostname: rack-a", "match: {macs: [\"52:54:00:aa:*\"]}");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).isEmpty();
        assertThat(fileOf(s, "52:54:00:01:02:03", Firmware.EFI_X64)).isEqualTo("qemu-efi.yaml");
        assertThat(fileOf(s, "52:54:00:01:02:03", Firmware.HTTP_X64)).as("HTTP Boot boots efi-x64's loader")
                .isEqualTo("qemu-efi.yaml");
        assertThat(fileOf(s, "52:54:00:01:02:03", Firmware.BIOS)).isEqualTo("qemu.yaml");
        assertThat(fileOf(s, "52:54:00:aa:02:03", Firmware.EFI_X64)).as("a longer prefix is more specific than an arch")
                .isEqualTo("rack-a.yaml");
        assertThat(fileOf(s, "52:54:01:01:02:03", Firmware.EFI_ARM64)).isEqualTo("arm.yaml");
        assertThat(fileOf(s, "52:54:01:01:02:03", Firmware.BIOS)).isEqualTo("none");
        // A request that does not say its firmware (a kickstart): the entry without arch, else the first arch's.
        assertThat(fileOf(s, "52:54:00:01:02:03")).isEqualTo("qemu.yaml");
        assertThat(fileOf(s, "52:54:01:01:02:03")).isEqualTo("arm.yaml");
        assertThat(s.configured(MacAddress.parse("52:54:01:01:02:03"))).isTrue();
    }

    @Test
    void twoFilesWithTheSameEntryAndArchAreAnErrorNamingBothAndAnUnknownArchIsAnError() {
        machine("a.yaml", "hostname: a", "match: {macs: [\"52:54:00:aa:*\"], arch: efi-x64}");
        machine("b.yaml", "hostname: b", "match: {macs: [\"52:54:00:aa:*\"], arch: efi-x64}");
        machine("c.yaml", "hostname: c", "match: {macs: [\"52:54:00:aa:*\"], arch: bios}");
        machine("d.yaml", "hostname: d", "match:", "  macs: [\"52:54:00:bb:*\"]", "  arch: efi-x86");

        ConfigSnapshot s = ConfigLoader.load(config.dir());

        assertThat(s.errors()).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("machines/d.yaml") + ":4: match.arch: unknown firmware 'efi-x86' (did you mean"
                        + " 'efi-x64'?) (known: bios, efi-ia32, efi-x64, efi-arm32, efi-arm64)",
                config.dir().resolve("machines/b.yaml") + ":2: match: 52:54:00:aa:* (arch efi-x64) is also in "
                        + config.dir().resolve("machines/a.yaml") + ": a MAC it matches would have two files of the same"
                        + " specificity; keep it in one of them");
        assertThat(fileOf(s, "52:54:00:aa:00:01", Firmware.EFI_X64)).isEqualTo("a.yaml");
        assertThat(fileOf(s, "52:54:00:aa:00:01", Firmware.BIOS)).isEqualTo("c.yaml");
    }

    @Test
    void patternsTakeAWholeMacAnOuiOrATrailingGlob() {
        assertThat(MacPattern.parse("52:54:00")).isEqualTo(new MacPattern("52:54:00", 3));
        assertThat(MacPattern.parse("52-54-00-AA-*")).isEqualTo(new MacPattern("52:54:00:aa", 4));
        assertThat(MacPattern.parse("5254.00aa.bbcc")).isEqualTo(new MacPattern("52:54:00:aa:bb:cc", 6));
        assertThat(MacPattern.parse("52:*")).isEqualTo(new MacPattern("52", 1));
        assertThat(MacPattern.parse("52:54:00:*").matches(MacAddress.parse("52:54:00:01:02:03"))).isTrue();
        assertThat(MacPattern.parse("52:54:00:*").matches(MacAddress.parse("52:54:01:01:02:03"))).isFalse();
        for (String bad : new String[] {"52:54", "52:54:00:aa:bb:cc:*", "*", "52:54:0g", "52:54:00:a*"}) {
            assertThatThrownBy(() -> MacPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
