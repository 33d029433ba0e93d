package org.bootferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code bootferry}: the command line. */
@Command(name = "bootferry",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.class,
        description = "Network boot server: ProxyDHCP, TFTP and HTTP keyed by MAC address.",
        subcommands = {ServeCommand.class, ValidateCommand.class, ExplainCommand.class, ResetCommand.class,
                PullCommand.class,
                VersionCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: serve, validate, explain, reset, pull, version");
    }
}
