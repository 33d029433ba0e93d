package org.bootferry.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code BOOTFERRY_*} environment variables as the defaults of the path flags, so that a container or
 * a systemd unit sets its paths once. A flag still wins; the variable wins over server.yaml as a flag
 * would. A provider rather than {@code ${env:…}} in the annotations: tests hand it an environment of
 * their own, which a JVM can't do to its real one.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    /** Each path flag and its variable; the README's CLI section lists the same. */
    static final Map<String, String> VARIABLES = Map.of(
            "--config", "BOOTFERRY_CONFIG",
            "--state", "BOOTFERRY_STATE",
            "--cache", "BOOTFERRY_CACHE",
            "--tftp-root", "BOOTFERRY_TFTP_ROOT");

    private final Map<String, String> environment;

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String variable = VARIABLES.get(option.longestName());
        String value = variable == null ? null : environment.get(variable);
        // An empty variable (BOOTFERRY_STATE= in a unit file) means unset, not the current directory.
        return value == null || value.isBlank() ? null : value;
    }
}
