package org.bootferry.dhcp6;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The namespace tests' helpers and probes as processes of their own: how to start one, and its first line. */
final class JavaMains {

    private JavaMains() {
    }

    /** The command that runs {@code main} with this JVM and class path. */
    static List<String> command(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** The first line of {@code out} that starts with {@code prefix}, or a line saying the output ended. */
    static String firstLine(BufferedReader out, String prefix) {
        try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            return "(ended without '" + prefix + "')";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
