package org.bootferry.boot;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Jazzer on install-file templates: any text parses to a template or a {@link TemplateException}
 * naming the line, and rendering a parsed one with the usual values (lists among them, for
 * {@code {{#each}}}) throws nothing but a {@link TemplateException} (an unknown variable, a value of
 * the wrong shape).
 */
class TemplateFuzzTest {

    private static final Path FILE = Path.of("templates/fuzzed.ks");
    private static final Map<String, Object> VALUES = Map.of("hostname", "node-01", "mac", "52:54:00:12:34:56",
            "arch", "arm64", "vars", Map.of("timezone", "UTC", "raid", true,
                    "disks", List.of(Map.of("device", "vda"), Map.of("device", "vdb")), "none", List.of()));

    @FuzzTest(maxDuration = "2m")
    void anyTextParsesOrNamesItsError(String text) {
        if (text == null) {
            return;  // Jazzer tries null for reference parameters; a file's text never is
        }
        // No allocation bound here: a template has no length fields, and Jazzer's regex hooks
        // allocate megabytes per match inside the harness (a 215-character input that takes 2.6 KB to
        // parse on its own counted 8 MB under Jazzer; now a regression input).
        Template t;
        try {
            t = Template.parse(FILE, text);
        } catch (TemplateException refused) {
            return;
        }
        try {
            t.render(VALUES, Template.Escaper.NONE);
        } catch (TemplateException unknownVariable) {
            // named in its message; what the loader reports
        }
    }
}
