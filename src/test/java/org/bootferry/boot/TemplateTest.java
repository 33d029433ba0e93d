package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
}
