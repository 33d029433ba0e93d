package org.bootferry.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.bootferry.testing.Processes;

/**
 * The helper processes of a {@link BootLab} (the site's DHCP server or RA daemon, packet captures),
 * each with its output in a log file: started and waited for until the log says it is ready, stopped
 * in reverse order when the lab closes.
 */
final class LabProcesses implements AutoCloseable {

    private final Duration startTimeout;
    private final List<Process> processes = new ArrayList<>();

    LabProcesses(Duration startTimeout) {
        this.startTimeout = startTimeout;
    }

    /**
     * Starts {@code cmd} with its output in {@code log} and waits until a line of it satisfies
     * {@code ready}; fails with the log if it dies or time runs out.
     */
    Process start(List<String> cmd, Path log, Predicate<String> ready, String what) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new AssertionError("could not start " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        processes.add(p);
        awaitLog(p, log, ready, what);
        return p;
    }

    private void awaitLog(Process p, Path log, Predicate<String> ready, String what) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        int checked = 0;
        try {
            while (System.nanoTime() < deadline) {
                // Complete lines only: a line read while it is being written would be checked half.
                String text = Files.exists(log) ? Files.readString(log) : "";
                List<String> lines = text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
                for (; checked < lines.size(); checked++) {
                    if (ready.test(lines.get(checked))) {
                        return;
                    }
                }
                if (!p.isAlive()) {
                    throw new AssertionError(what + " exited " + p.exitValue() + " before it was ready; " + log + ":\n"
                            + String.join("\n", lines));
                }
                Thread.sleep(100);
            }
            throw new AssertionError(what + " not ready after " + startTimeout.toSeconds() + " s; " + log + ":\n"
                    + Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Processes.stop(processes.get(i));
        }
    }
}
