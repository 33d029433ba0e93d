package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bootferry.cli.Main;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The man pages {@code mvn package} builds beside the jar ({@code target/man/}): bootferry(1) names
 * every command, each command has a page with every option and parameter it takes, and groff reads
 * each page without a warning, as {@code man -l} would.
 */
class ManPageIT {

    private static final Path MAN = Path.of(System.getProperty("bootferry.jar", "target/bootferry.jar"))
            .resolveSibling("man");
    private static final CommandLine ROOT = Main.commandLine(Map.of());

    /** bootferry and each of its commands, as the jar's picocli model has them. */
    static Stream<CommandSpec> commands() {
        List<CommandSpec> specs = new ArrayList<>();
        specs.add(ROOT.getCommandSpec());
        ROOT.getSubcommands().values().stream().map(CommandLine::getCommandSpec)
                .filter(spec -> !spec.usageMessage().hidden()).forEach(specs::add);
        return specs.stream();
    }

    @Test
    void bootferry1NamesEveryCommand() {
        String page = render(MAN.resolve("bootferry.1"));
        String commands = page.substring(page.indexOf("\nCOMMANDS\n"), page.indexOf("\nEXIT CODES"));
        assertThat(ROOT.getSubcommands().keySet()).isNotEmpty().allSatisfy(name ->
                assertThat(commands).as("COMMANDS of bootferry(1)").containsPattern("(?m)^ +" + name + "$"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void eachCommandHasAPageWithEveryOptionItTakes(CommandSpec spec) {
        String name = spec.qualifiedName("-");
        String page = render(MAN.resolve(name + ".1"));
        // NAME says what the command's one-line help says: its header, else its description's first line.
        String[] summary = spec.usageMessage().header().length > 0 ? spec.usageMessage().header()
                : spec.usageMessage().description();
        assertThat(page).contains(name + " - " + summary[0]);
        for (OptionSpec option : spec.options()) {
            assertThat(page).as("option of " + name).containsPattern("(?m)^ +(-\\w, )?" + option.longestName() + "\\b");
        }
        for (PositionalParamSpec parameter : spec.positionalParameters()) {
            assertThat(page).as("parameter of " + name).contains(parameter.paramLabel());
        }
    }

    /** The page as man shows it, in plain text at a width that wraps nothing; groff's warnings fail the test. */
    private static String render(Path page) {
        assertThat(page).as("built by mvn package").isRegularFile();
        Path groff = Tools.require("groff", "groff-base");
        Processes.Result r = Processes.run(List.of(groff.toString(), "-k", "-man", "-Tutf8", "-P-cbou", "-rLL=300n",
                "-ww", page.toString()), 60);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stderr()).as("groff's warnings").isEmpty();
        return r.text();
    }
}
