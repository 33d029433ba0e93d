package org.bootferry.boot;

import org.bootferry.config.ConfigError;

/** A machine's config can't be turned into a plan; the error names the file to fix. */
public class BootPlanException extends RuntimeException {

    private final transient ConfigError error;

    public BootPlanException(ConfigError error) {
        super(error.toString());
        this.error = error;
    }

    public ConfigError error() {
        return error;
    }
}
