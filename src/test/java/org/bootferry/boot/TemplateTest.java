package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {

    private static final Path FILE = Path.of("templates/x.ks");

    @Test
    void placeholdersAreFilledFromValuesAndNestedMaps() {
        String out = Template.parse(FILE, "host {{hostname}} tz={{ vars.timezone }} ${iPXE-stays}")
                .render(Map.of("hostname", "node-01", "vars", Map.of("timezone", "UTC")), Template.Escaper.NONE);
        assertThat(out).isEqualTo("host node-01 tz=UTC ${iPXE-stays}");
    }

    @Test
    void unknownVariableIsAnErrorWithFileAndLineNotAnEmptyString() {
        Template t = Template.parse(FILE, "line one\nnetwork --hostname={{hostnme}}\n");
        assertThatThrownBy(() -> t.render(Map.of("hostname", "n"), Template.Escaper.NONE))
                .isInstanceOf(TemplateException.class)
                .hasMessage("templates/x.ks:2: unknown variable 'hostnme' (known here: hostname)");
    }

    @Test
    void missingNestedKeyNamesTheMapThatLacksIt() {
        Template t = Template.parse(FILE, "{{vars.ntp}}");
        assertThatThrownBy(() -> t.render(Map.of("vars", Map.of("timezone", "UTC")), Template.Escaper.NONE))
                .hasMessage("templates/x.ks:1: unknown variable 'vars.ntp': 'vars' has no 'ntp' (known here: timezone)");
    }

    @Test
    void unclosedBracesAndBadNamesAreSyntaxErrors() {
        assertThatThrownBy(() -> Template.parse(FILE, "a\nb {{hostname"))
                .hasMessage("templates/x.ks:2: '{{' is never closed with '}}'");
        assertThatThrownBy(() -> Template.parse(FILE, "{{ host name }}"))
                .hasMessageContaining("holds no variable name");
    }

    @Test
    void escaperSeesEveryValue() {
        String out = Template.parse(FILE, "{{a}}-{{b}}")
                .render(Map.of("a", "x", "b", "y"), (name, value) -> name + "=" + value.toUpperCase());
        assertThat(out).isEqualTo("a=X-b=Y");
    }

    private static String render(String text, Map<String, ?> values) {
        return Template.parse(FILE, text).render(values, Template.Escaper.NONE);
    }

    private static final Map<String, Object> ARM64 = Map.of("arch", "arm64", "firmware", "efi-arm64",
            "vars", Map.of("disks", List.of(Map.of("device", "vda", "size", 20), Map.of("device", "vdb", "size", 40)),
                    "raid", true, "none", List.of()));
    private static final Map<String, Object> BIOS = Map.of("arch", "amd64", "firmware", "bios",
            "vars", Map.of("disks", List.of(Map.of("device", "sda", "size", 100)), "raid", false, "none", List.of()));

    @Test
    void ifTakesTheBranchOfTheMachinesArch() {
        String text = "console={{#if arch == \"arm64\"}}ttyAMA0{{else}}ttyS0{{/if}}";
        assertThat(render(text, ARM64)).isEqualTo("console=ttyAMA0");
        assertThat(render(text, BIOS)).isEqualTo("console=ttyS0");
    }

    @Test
    void elseIfChainsChooseByFirmwareAndConditionsJoinWithAndOrNot() {
        String text = """
                {{#if firmware == "bios"}}
                bootloader --location=mbr
                {{else if firmware == 'efi-arm64' and not (arch != "arm64" or vars.raid)}}
                arm without raid
                {{else if firmware == "efi-arm64" and vars.raid}}
                arm with raid
                {{else}}
                other
                {{/if}}
                """;
        assertThat(render(text, BIOS)).isEqualTo("bootloader --location=mbr\n");
        assertThat(render(text, ARM64)).isEqualTo("arm with raid\n");
        assertThat(render(text, Map.of("arch", "amd64", "firmware", "efi-x64", "vars", Map.of("raid", true))))
                .isEqualTo("other\n");
    }

    @Test
    void eachLoopsOverAListInVarsWithLoopIndexFirstAndLast() {
        String text = """
                ignoredisk --only-use={{#each vars.disks as disk}}{{disk.device}}{{#if not loop.last}},{{/if}}{{/each}}
                {{#each vars.disks as disk}}
                part /data{{loop.index}} --ondisk={{disk.device}} --size={{disk.size}}{{#if loop.first}} --grow{{/if}}
                {{/each}}
                """;
        assertThat(render(text, ARM64)).isEqualTo("""
                ignoredisk --only-use=vda,vdb
                part /data1 --ondisk=vda --size=20 --grow
                part /data2 --ondisk=vdb --size=40
                """);
        assertThat(render("{{#each names as n}}[{{n}}]{{/each}}", Map.of("names", List.of("a", "b"))))
                .isEqualTo("[a][b]");
    }

    @Test
    void sectionsNestAndInnerLoopsHaveTheirOwnLoop() {
        String text = """
                {{#each vars.disks as disk}}
                {{#if arch == "arm64"}}
                {{#each vars.disks as other}}
                {{#if disk.device != other.device}}
                {{disk.device}}#{{loop.index}} mirrors {{other.device}}
                {{/if}}
                {{/each}}
                {{/if}}
                {{/each}}
                """;
        assertThat(render(text, ARM64)).isEqualTo("vda#2 mirrors vdb\nvdb#1 mirrors vda\n");
        assertThat(render(text, BIOS)).isEmpty();
    }

    @Test
    void aSectionTagAloneOnItsLineTakesTheLineWithItButNotOtherwise() {
        assertThat(render("a\n  {{#if vars.raid}}  \r\nraid\n\t{{/if}}\nb", ARM64)).isEqualTo("a\nraid\nb");
        assertThat(render("a {{#if vars.raid}}\nraid\n{{/if}} b", BIOS)).isEqualTo("a  b");
        assertThat(render("{{#if vars.raid}}x{{/if}}\n", BIOS)).isEqualTo("\n");
    }

    @Test
    void anUnknownVariableInABranchNotTakenIsStillAnError() {
        String text = "{{#if arch == \"arm64\"}}\nconsole={{vars.armConsole}}\n{{/if}}\n";
        assertThatThrownBy(() -> render(text, BIOS)).isInstanceOf(TemplateException.class)
                .hasMessage("templates/x.ks:2: unknown variable 'vars.armConsole': 'vars' has no 'armConsole'"
                        + " (known here: disks, none, raid)");
        assertThatThrownBy(() -> render("{{#if arch == \"s390x\" or frmware == \"bios\"}}{{/if}}", BIOS))
                .hasMessageStartingWith("templates/x.ks:1: unknown variable 'frmware'");
        assertThatThrownBy(() -> render("{{#if vars.raid}}\nraid\n{{else if vars.rad}}\n{{/if}}", ARM64))
                .hasMessageStartingWith("templates/x.ks:3: unknown variable 'vars.rad'");
    }

    @Test
    void anEmptyListsLoopChecksEveryNameButThoseUnderItsItem() {
        assertThat(render("{{#each vars.none as d}}{{d.anything.at.all}} {{arch}}{{/each}}", BIOS)).isEmpty();
        assertThatThrownBy(() -> render("{{#each vars.none as d}}\n{{d.x}} {{hostname}}{{/each}}", BIOS))
                .hasMessageStartingWith("templates/x.ks:2: unknown variable 'hostname'");
        // With items, a field one item lacks is an error even in a branch that item does not take.
        assertThatThrownBy(() -> render("{{#each vars.disks as d}}{{#if loop.index == 5}}{{d.model}}{{/if}}{{/each}}", BIOS))
                .hasMessageStartingWith("templates/x.ks:1: unknown variable 'd.model': 'd' has no 'model'");
    }

    @Test
    void unclosedAndMismatchedSectionsNameTheirLine() {
        assertThatThrownBy(() -> Template.parse(FILE, "a\n{{#if arch == \"arm64\"}}\nb\n"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("templates/x.ks:2: '{{#if}}' is never closed with '{{/if}}'");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if vars.raid}}\n{{#each vars.disks as d}}\n{{/if}}"))
                .hasMessage("templates/x.ks:3: '{{/if}}' closes the '{{#each}}' of line 2; close it with '{{/each}}' first");
        assertThatThrownBy(() -> Template.parse(FILE, "x\n{{/each}}"))
                .hasMessage("templates/x.ks:2: '{{/each}}' closes nothing");
        assertThatThrownBy(() -> Template.parse(FILE, "{{else}}"))
                .hasMessage("templates/x.ks:1: '{{else}}' outside an '{{#if}}'");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if a}}\n{{else}}\n{{else}}\n{{/if}}"))
                .hasMessage("templates/x.ks:3: '{{#if}}' of line 1 has its '{{else}}' on line 2 already");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#iff a}}"))
                .hasMessageStartingWith("templates/x.ks:1: unknown section '#iff' (did you mean '#if'?)");
    }

    @Test
    void badConditionsAndLoopsAreSyntaxErrors() {
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if arch = \"arm64\"}}{{/if}}"))
                .hasMessage("templates/x.ks:1: '=' in the condition: compare with == or !=");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if}}{{/if}}")).hasMessageContaining("needs a condition");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if \"arm64\"}}{{/if}}")).hasMessageContaining("a text alone");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if arch == \"arm64}}{{/if}}")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if (arch == \"a\"}}{{/if}}")).hasMessageContaining("'('");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if arch arch}}{{/if}}")).hasMessageContaining("unexpected 'arch'");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#each vars.disks}}{{/each}}"))
                .hasMessageContaining("{{#each vars.disks as disk}}");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#each vars.disks as loop}}{{/each}}")).hasMessageContaining("'loop'");
    }

    @Test
    void sectionsAndConditionsNestAtMost64Deep() {
        String deep = "{{#if vars.raid}}".repeat(64) + "x" + "{{/if}}".repeat(64);
        assertThat(render(deep, ARM64)).isEqualTo("x");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#each vars.disks as d}}\n" + deep + "{{/each}}"))
                .hasMessage("templates/x.ks:2: sections nest more than 64 deep here");
        assertThat(render("{{#if " + "not ".repeat(64) + "vars.raid}}even{{/if}}", ARM64)).isEqualTo("even");
        assertThatThrownBy(() -> Template.parse(FILE, "{{#if " + "(".repeat(65) + "vars.raid" + ")".repeat(65) + "}}{{/if}}"))
                .hasMessage("templates/x.ks:1: the condition nests 'not' and '(' more than 64 deep");
    }

    @Test
    void valuesOfTheWrongShapeAreErrors() {
        assertThatThrownBy(() -> render("{{#if arch}}{{/if}}", BIOS))
                .hasMessage("templates/x.ks:1: 'arch' is not true or false: compare it, as in {{#if arch == \"…\"}}");
        assertThatThrownBy(() -> render("{{#each arch as a}}{{/each}}", BIOS))
                .hasMessage("templates/x.ks:1: '{{#each}}' needs a list, and 'arch' is a single value");
        assertThatThrownBy(() -> render("{{#each vars as a}}{{/each}}", BIOS))
                .hasMessage("templates/x.ks:1: '{{#each}}' needs a list, and 'vars' is a map");
        assertThatThrownBy(() -> render("{{vars.disks}}", BIOS))
                .hasMessage("templates/x.ks:1: variable 'vars.disks' is a list: loop over it with {{#each vars.disks as item}}");
        assertThatThrownBy(() -> render("{{#each vars.disks as arch}}{{/each}}", BIOS))
                .hasMessageContaining("hides the variable 'arch'");
    }

    @Test
    void theEscaperSeesLoopItems() {
        String out = Template.parse(FILE, "{{#each xs as x}}{{x}};{{/each}}")
                .render(Map.of("xs", List.of("a", "b")), (name, value) -> name + "=" + value);
        assertThat(out).isEqualTo("x=a;x=b;");
    }
}
