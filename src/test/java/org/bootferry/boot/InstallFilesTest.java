package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Install files as a machine gets them: branching on its arch and firmware, looping over its vars. */
class InstallFilesTest {

    static final MacAddress NODE = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void aMachineWithTwoDisks() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.file("server.yaml", "advertise: 10.0.0.1");
        config.file("machines/52-54-00-12-34-56.yaml",
                "hostname: node-01",
                "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: inst.ks={{kickstartUrl}}{{#if arch == \"arm64\"}} console=ttyAMA0{{/if}}",
                "kickstart: node.ks",
                "files: {user-data: user-data}",
                "vars:",
                "  disks:",
                "    - {device: vda, size: 20}",
                "    - {device: vdb, size: 40}");
        config.file("templates/user-data", "#cloud-config", "hostname: {{hostname}}");
        config.file("templates/node.ks",
                "network --hostname={{hostname}}",
                "{{#if firmware == \"bios\"}}",
                "bootloader --location=mbr",
                "{{else if arch == \"arm64\"}}",
                "part /boot/efi --fstype=efi --size=600 --ondisk={{#each vars.disks as disk}}{{#if loop.first}}{{disk.device}}{{/if}}{{/each}}",
                "{{else}}",
                "part biosboot --fstype=biosboot --size=1",
                "{{/if}}",
                "{{#each vars.disks as disk}}",
                "part /data{{loop.index}} --ondisk={{disk.device}} --size={{disk.size}}",
                "{{/each}}");
    }

    private BootPlanner planner() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    @Test
    void theKickstartBranchesOnTheMachinesFirmwareAndArchAndLoopsOverItsDisks() {
        BootPlanner planner = planner();
        assertThat(planner.kickstart(Machine.of(NODE, Firmware.BIOS)).orElseThrow()).isEqualTo("""
                network --hostname=node-01
                bootloader --location=mbr
                part /data1 --ondisk=vda --size=20
                part /data2 --ondisk=vdb --size=40
                """);
        assertThat(planner.kickstart(Machine.of(NODE, Firmware.EFI_ARM64)).orElseThrow()).isEqualTo("""
                network --hostname=node-01
                part /boot/efi --fstype=efi --size=600 --ondisk=vda
                part /data1 --ondisk=vda --size=20
                part /data2 --ondisk=vdb --size=40
                """);
        assertThat(planner.kickstart(Machine.of(NODE, Firmware.EFI_X64)).orElseThrow())
                .contains("part biosboot --fstype=biosboot --size=1\n");
        assertThat(planner.plan(Machine.of(NODE, Firmware.EFI_ARM64)).orElseThrow().cmdline())
                .isEqualTo("inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY console=ttyAMA0");
        assertThat(planner.plan(Machine.of(NODE, Firmware.BIOS)).orElseThrow().cmdline())
                .isEqualTo("inst.ks=http://10.0.0.1:8080/ks/52-54-00-12-34-56/CAPABILITY");
    }

    @Test
    void validateFindsAMisspeltNameInAnArm64BranchThoughItPlansABiosMachine() {
        config.file("templates/node.ks", "{{#if arch == \"arm64\"}}", "part /boot/efi --ondisk={{vars.disk.device}}", "{{/if}}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("templates/node.ks") + ":2: unknown variable 'vars.disk.device': 'vars' has no"
                        + " 'disk' (known here: disks)");
    }

    @Test
    void validateNamesTheLineOfAnUnclosedSection() {
        config.file("templates/node.ks", "network --hostname={{hostname}}", "{{#each vars.disks as disk}}",
                "part --ondisk={{disk.device}}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("templates/node.ks") + ":2: '{{#each}}' is never closed with '{{/each}}'");
    }

    @Test
    void aLoopItemWithALineBreakCannotAddLinesToTheKickstart() {
        config.file("machines/52-54-00-12-34-56.yaml", "kernelBoot: {files: {kernel: boot/vmlinuz}}",
                "kickstart: node.ks", "vars: {disks: [{device: \"vda\\nrootpw --plaintext x\", size: 1}]}");
        assertThatThrownBy(() -> planner().kickstart(Machine.of(NODE, Firmware.BIOS)))
                .isInstanceOf(TemplateException.class)
                .hasMessage(config.dir().resolve("templates/node.ks") + ":10: the value of 'disk.device' contains a"
                        + " line break, which would add lines to node.ks; put multi-line text in the template");
    }

    @Test
    void cloudInitJinjaUserDataIsServedAsItIsAndValidates() {
        String jinja = String.join("\n",
                "## template: jinja",
                "#cloud-config",
                "{% if v1.distro == 'ubuntu' %}",
                "hostname: {{ v1.local_hostname }}",
                "{% endif %}",
                "runcmd: [\"echo {{ ds.meta_data.instance_id }}\", \"echo {{\"]",
                "");
        config.file("templates/user-data", jinja.split("\n"));
        BootPlanner planner = planner();
        assertThat(planner.installFile(Machine.of(NODE, Firmware.BIOS), "user-data")).contains(jinja);
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).isEmpty();
        // cloud-init's own reading of the first line: spaces after ##, any case, trailing blanks.
        config.file("templates/user-data", "##template:  Jinja \r", "{{ v1.local_hostname }}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).isEmpty();
    }

    @Test
    void withoutTheJinjaHeaderOnItsFirstLineUserDataIsOurTemplate() {
        config.file("templates/user-data", "#cloud-config", "## template: jinja", "hostname: {{ v1.local_hostname }}");
        assertThat(ConfigCheck.check(ConfigLoader.load(config.dir()))).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("templates/user-data") + ":3: unknown variable 'v1.local_hostname' (known here:"
                        + " arch, doneUrl, family, filesUrl, firmware, hostname, initrdUrl, kernelUrl, kickstartUrl, mac,"
                        + " secrets, server, serverUrl, vars)");
        config.file("templates/user-data", "## template: basic", "hostname: {{hostname}}");
        assertThat(planner().installFile(Machine.of(NODE, Firmware.BIOS), "user-data"))
                .contains("## template: basic\nhostname: node-01\n");
    }
}
