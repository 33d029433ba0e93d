package org.bootferry.boot;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.Map;
import org.bootferry.testing.Allocation;

/**
 * Jazzer on install-file templates: any text parses to a template or a {@link TemplateException}
 * naming the line, and rendering a parsed one with the usual values throws nothing but a
 * {@link TemplateException} (an unknown variable).
 */
class TemplateFuzzTest {

    private static final Path FILE = Path.of("templates/fuzzed.ks");
    private static final Map<String, Object> VALUES = Map.of("hostname", "node-01", "mac", "52:54:00:12:34:56",
            "vars", Map.of("timezone", "UTC"));

    @FuzzTest(maxDuration = "2m")
    void anyTextParsesOrNamesItsError(String text) throws Exception {
        if (text == null) {
            return;  // Jazzer tries null for reference parameters; a file's text never is
        }
        Allocation.bounded(text.length(), 1024, 4 << 20, () -> {
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
        });
    }
}
