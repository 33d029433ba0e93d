package org.bootferry.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code bootferry}: the command line. {@code --help} and {@code --version} are inherited by every
 * subcommand (scope INHERIT), so {@code bootferry serve --help} works as {@code bootferry help serve} does.
 */
@Command(name = "bootferry",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionCommand.class,
        description = "Network boot server: ProxyDHCP, TFTP and HTTP keyed by MAC address.",
        subcommands = {ServeCommand.class, ValidateCommand.class, ExplainCommand.class, ResetCommand.class,
                PullCommand.class, LeasesCommand.class, DiscoveredCommand.class, AdoptCommand.class, ImportCommand.class,
                CaCommand.class, VersionCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done",
                "1:config errors (validate, serve), a MAC not answered or not bootable (explain), a failed pull or reset,"
                        + " no DHCP server mode or an unreadable lease journal (leases),"
                        + " an adoption refused (adopt), an unreadable discovered list (discovered), no CA yet (ca export)",
                "2:usage error: unknown option, missing or malformed argument",
                "3:serve could not start: a port, the state directory or the image cache",
                "70:a bug: an unexpected exception, with its stack trace"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The command line with its path flags defaulting to {@code BOOTFERRY_*} variables of {@code environment}. */
    public static CommandLine commandLine(Map<String, String> environment) {
        return new CommandLine(new Main())
                .setDefaultValueProvider(new EnvironmentDefaults(environment))
                // Usage errors are the mapper's too once there is one: picocli asks it for every exception.
                .setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? ExitCodes.USAGE
                        : ExitCodes.BUG);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: serve, validate, explain, reset, pull, leases, discovered, adopt, import, ca, version,"
                        + " completion, help");
    }
}
