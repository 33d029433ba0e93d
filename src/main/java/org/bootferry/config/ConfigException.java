package org.bootferry.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration cannot be used; the message lists every error, one {@code file:line: message} per line. */
public final class ConfigException extends RuntimeException {

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
