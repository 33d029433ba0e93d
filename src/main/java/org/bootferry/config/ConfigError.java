package org.bootferry.config;

import java.nio.file.Path;

/**
 * One problem in one config file, printed as {@code file:line: message} so editors can jump to it.
 *
 * @param line 1-based; 0 when the problem is about the file as a whole
 */
public record ConfigError(Path file, int line, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
