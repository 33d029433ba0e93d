package org.bootferry.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bootferry.cli.Main;

/** Runs a {@code bootferry} command in this JVM, as an admin would type it, capturing what it prints. */
public final class Commands {

    private Commands() {
    }

    /**
     * A command's exit code and its standard output and error.
     *
     * @param outBytes standard output as written, for a command that prints binary ({@code ca export --format efi})
     */
    public record Run(int exit, String out, String err, byte[] outBytes) {
    }

    /** With no {@code BOOTFERRY_*} variables, whatever the environment running the tests has. */
    public static Run bootferry(String... args) {
        return bootferryWith(Map.of(), args);
    }

    /** With {@code environment} as the process environment the command sees. */
    public static synchronized Run bootferryWith(Map<String, String> environment, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.commandLine(environment).execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), withoutAgentLines(e.toString(StandardCharsets.UTF_8)),
                    o.toByteArray());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /**
     * Once a fuzz test has run in this JVM, Jazzer's agent stays and prints "INFO: Instrumented …" to
     * standard error for each class loaded after it: the JVM's words, not the command's.
     */
    private static String withoutAgentLines(String err) {
        return err.replaceAll("(?m)^INFO: Instrumented .*\\R", "");
    }
}
