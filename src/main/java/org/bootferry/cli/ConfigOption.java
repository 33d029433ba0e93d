package org.bootferry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import picocli.CommandLine.Option;

/** {@code --config DIR}, shared by every command that reads the config directory. */
final class ConfigOption {

    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "Config directory (default: ${DEFAULT-VALUE}; $BOOTFERRY_CONFIG sets it).")
    Path dir;

    /** Loads the directory and checks it as a boot would; the errors of both, in file order. */
    Loaded load(Map<String, Object> overrides) {
        return load(new ConfigLoader(dir, overrides));
    }

    static Loaded load(ConfigLoader loader) {
        ConfigSnapshot snapshot = loader.load();
        List<ConfigError> errors = new ArrayList<>(snapshot.errors());
        if (errors.isEmpty()) {
            errors.addAll(ConfigCheck.check(snapshot));
        }
        return new Loaded(snapshot, errors);
    }

    record Loaded(ConfigSnapshot snapshot, List<ConfigError> errors) {
    }
}
