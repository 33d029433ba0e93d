package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Reading the output of the processes a test starts. */
final class ProcessLines {

    private ProcessLines() {
    }

    /** Waits for a line starting with {@code prefix}; fails with what the process printed. */
    static void await(Process p, String prefix, int seconds) throws Exception {
        List<String> lines = until(p, prefix, seconds);
        assertThat(lines.get(lines.size() - 1)).startsWith(prefix);
    }

    /** The lines up to and including the first that contains {@code text}. */
    static List<String> until(Process p, String text, int seconds) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.contains(text)) {
                        return true;
                    }
                }
            } catch (java.io.IOException e) {
                return false;
            }
            return false;
        });
        boolean ok;
        try {
            ok = found.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            ok = false;
        }
        synchronized (lines) {
            if (!ok) {
                throw new AssertionError("no line with '" + text + "' within " + seconds + " s:\n" + String.join("\n", lines));
            }
            return List.copyOf(lines);
        }
    }

    /** Every line the process prints until it ends (or its output is closed under us). */
    static CompletableFuture<List<String>> collect(Process p) {
        return CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // destroyed while reading: what came so far is the log
            }
            return lines;
        });
    }
}
