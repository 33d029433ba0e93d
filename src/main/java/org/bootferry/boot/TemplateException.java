package org.bootferry.boot;

import java.nio.file.Path;
import org.bootferry.config.ConfigError;

/** A template can't be parsed or rendered; {@link #error()} says where and why. */
public final class TemplateException extends BootPlanException {

    public TemplateException(Path file, int line, String message) {
        super(new ConfigError(file, line, message));
    }
}
