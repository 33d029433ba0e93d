package org.bootferry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, read from the source: which package of ours each main
 * package may import. Arrows point downward only; the protocols (dhcp, dhcp6, tftp, http) never import
 * each other; config and image import no package with a boot concept in it; machine and lang are leaves,
 * and kernel (file formats) stands on lang alone.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/org/bootferry");
    private static final int MAX_LINES = 450;

    /** Each package and the packages of ours it may import. A new package must be added here. */
    private static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
            Map.entry("machine", Set.of()),
            Map.entry("lang", Set.of()),
            Map.entry("kernel", Set.of("lang")),
            Map.entry("image", Set.of("kernel", "lang")),
            Map.entry("config", Set.of("machine", "lang")),
            Map.entry("journal", Set.of("machine", "lang")),
            Map.entry("loader", Set.of("machine", "lang")),
            Map.entry("boot", Set.of("config", "image", "kernel", "loader", "machine", "lang")),
            Map.entry("dhcp", Set.of("boot", "machine", "lang")),
            Map.entry("dhcp6", Set.of("boot", "machine", "lang")),
            Map.entry("tftp", Set.of("boot", "loader", "machine", "lang")),
            Map.entry("dns", Set.of("machine", "lang")),
            Map.entry("http", Set.of("boot", "config", "image", "loader", "machine", "lang")),
            Map.entry("server", Set.of("boot", "config", "dhcp", "dhcp6", "dns", "http", "image", "journal", "lang",
                    "loader", "machine", "tftp")),
            Map.entry("cli", Set.of("boot", "config", "dhcp", "dns", "http", "image", "journal", "lang", "loader",
                    "machine", "server", "tftp")));

    /** {@code import org.bootferry.X.…} and fully qualified uses in code ({@code org.bootferry.X.Y}). */
    private static final Pattern OURS = Pattern.compile("\\borg\\.bootferry\\.([a-z]+)\\.[A-Za-z]");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void everyPackageImportsOnlyWhatItsRuleAllows() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : mainSources()) {
            String pkg = packageOf(file);
            Set<String> allowed = MAY_IMPORT.get(pkg);
            if (allowed == null) {
                violations.add(file + ": package '" + pkg + "' has no rule: add it to MAY_IMPORT and docs/architecture.md");
                continue;
            }
            String code = COMMENT.matcher(Files.readString(file)).replaceAll("");
            Matcher m = OURS.matcher(code);
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg) && !allowed.contains(used)) {
                    violations.add(file + ": " + pkg + " uses " + used + " (allowed: " + allowed + ")");
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    /** The rules themselves run one way: no package may import one that may import it. */
    @Test
    void theRulesHaveNoCycle() {
        for (Map.Entry<String, Set<String>> rule : MAY_IMPORT.entrySet()) {
            for (String below : rule.getValue()) {
                assertThat(MAY_IMPORT.get(below)).as(rule.getKey() + " -> " + below).doesNotContain(rule.getKey());
            }
        }
    }

    @Test
    void everyPackageSaysWhatItOwnsAndMayImport() throws IOException {
        try (Stream<Path> dirs = Files.list(MAIN)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Path info = dir.resolve("package-info.java");
                assertThat(info).as("every package has a package-info.java").exists();
                assertThat(MAY_IMPORT).as("a rule for " + dir.getFileName()).containsKey(dir.getFileName().toString());
            }
        }
    }

    @Test
    void noMainSourceFileIsOverTheLimit() throws IOException {
        Map<String, Integer> over = new TreeMap<>();
        for (Path file : mainSources()) {
            int lines = Files.readAllLines(file).size();
            if (lines > MAX_LINES) {
                over.put(file.toString(), lines);
            }
        }
        assertThat(over).as("split files by job once they pass " + MAX_LINES + " lines").isEmpty();
    }

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path file) {
        return MAIN.relativize(file).getName(0).toString();
    }
}
