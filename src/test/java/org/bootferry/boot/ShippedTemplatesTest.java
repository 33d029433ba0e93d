package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The templates and {@code kernelArgs} the project ships in {@code config/} render byte for byte as
 * they did before templates could branch: the expected files under {@code shipped-templates/} were
 * written by the engine that knew only {@code {{ name }}}.
 */
class ShippedTemplatesTest {

    private static final Path SHIPPED = Path.of("config");
    private static final Path EXPECTED = Path.of("src/test/resources/org/bootferry/boot/shipped-templates");

    /** Every name a shipped template uses, with a value that shows where it went. */
    private static final Map<String, Object> VALUES = Map.ofEntries(
            Map.entry("mac", "52:54:00:12:34:56"),
            Map.entry("hostname", "node-01"),
            Map.entry("firmware", "efi-x64"),
            Map.entry("arch", "amd64"),
            Map.entry("serverUrl", "http://192.0.2.10:8080"),
            Map.entry("kickstartUrl", "http://192.0.2.10:8080/ks/52-54-00-12-34-56"),
            Map.entry("filesUrl", "http://192.0.2.10:8080/files/52-54-00-12-34-56/"),
            Map.entry("doneUrl", "http://192.0.2.10:8080/done/52-54-00-12-34-56/67a1b2c3-0123456789abcdef0123456789abcdef"),
            Map.entry("kernelUrl", "http://192.0.2.10:8080/boot/52-54-00-12-34-56/kernel"),
            Map.entry("initrdUrl", "http://192.0.2.10:8080/boot/52-54-00-12-34-56/initrd"),
            Map.entry("location", "http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/"),
            Map.entry("repoUrl", "http://deb.debian.org/debian/"),
            Map.entry("repoHost", "deb.debian.org"),
            Map.entry("repoDirectory", "/debian"),
            Map.entry("vars", Map.of("timezone", "Europe/Berlin", "domain", "example.org")));

    /** Each shipped template by its name under {@code templates/}, and each profile's kernelArgs. */
    static List<String> sources() {
        ConfigSnapshot snapshot = ConfigLoader.load(SHIPPED);
        Stream<String> templates = snapshot.templates().keySet().stream().map(name -> "templates/" + name);
        Stream<String> kernelArgs = snapshot.profiles().keySet().stream().map(name -> "profiles/" + name + ".kernelArgs");
        return Stream.concat(templates, kernelArgs).sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("sources")
    void rendersAsBeforeTemplatesCouldBranch(String source) throws IOException {
        ConfigSnapshot snapshot = ConfigLoader.load(SHIPPED);
        String text = source.startsWith("templates/")
                ? snapshot.templates().get(source.substring("templates/".length()))
                : snapshot.profiles().get(source.substring("profiles/".length(), source.length() - ".kernelArgs".length()))
                        .config().kernelBoot().kernelArgs();
        String rendered = Template.parse(Path.of(source), text).render(VALUES, Template.Escaper.NONE);
        assertThat(rendered).isEqualTo(Files.readString(EXPECTED.resolve(source.replace('/', '_'))));
    }
}
