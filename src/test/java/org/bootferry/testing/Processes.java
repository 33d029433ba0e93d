package org.bootferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real client to completion and returns what it printed. */
public final class Processes {

    private Processes() {
    }

    /** The outcome of one command: exit code, standard output (bytes) and standard error. */
    public record Result(int exit, byte[] stdout, String stderr) {
        public String text() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs a setup command (ip, dpkg-deb, cpio ...) that must succeed and returns its standard output;
     * a failure is a broken test environment, reported with everything needed to redo it by hand.
     */
    public static String check(String... command) {
        return check(List.of(command));
    }

    public static String check(List<String> command) {
        Result r = run(command, 300);
        if (r.exit() != 0) {
            throw new AssertionError("`" + String.join(" ", command) + "` exited " + r.exit() + ":\n" + r.text()
                    + r.stderr());
        }
        return r.text();
    }

    public static Result run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            var errText = new java.util.concurrent.CompletableFuture<String>();
            Thread errReader = new Thread(() -> {
                try {
                    errText.complete(new String(err.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    errText.complete("");
                }
            });
            errReader.start();
            byte[] stdout = out.readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            errReader.join();
            return new Result(p.exitValue(), stdout, errText.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Ends a process as a service manager would: SIGTERM, then SIGKILL if it lingers. */
    public static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
