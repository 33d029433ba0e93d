package org.bootferry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived real command (ip, dpkg-deb, cpio ...) for a test and returns what it printed.
 * A command that fails or hangs is a broken test environment, so it fails the test with the
 * command line, its exit code and its output: enough to redo it by hand.
 */
public final class Command {

    private static final long TIMEOUT_SECONDS = 300;

    private Command() {
    }

    /** Runs {@code command}, returns stdout+stderr; fails the test on a non-zero exit. */
    public static String run(String... command) {
        return run(List.of(command));
    }

    public static String run(List<String> command) {
        Result r = attempt(command);
        if (r.exitCode() != 0) {
            throw new AssertionError("`" + String.join(" ", command) + "` exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** Runs {@code command} whose failure is expected or harmless (cleaning up what may not exist). */
    public static Result attempt(String... command) {
        return attempt(List.of(command));
    }

    public static Result attempt(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // Read before waiting: a full pipe would block the child forever.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "\n(timed out after " + TIMEOUT_SECONDS + " s)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, "could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }
}
