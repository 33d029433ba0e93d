package org.bootferry.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bootferry serve} as its own process, run from the test JVM's classes (no jar needed), as
 * an admin runs it: flags, a log, and an end by signal, including kill -9.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening (\\S+) (tcp|udp) (\\S+):(\\d+)");

    private final Process process;
    private final Path log;
    private final Map<String, Integer> ports;

    private ServerProcess(Process process, Path log, Map<String, Integer> ports) {
        this.process = process;
        this.log = log;
        this.ports = ports;
    }

    /**
     * Starts {@code prefix + java … serve args} and waits until every listener in {@code listeners}
     * (e.g. {@code http}) has printed its {@code listening} line.
     *
     * @param prefix a command to run it under, e.g. {@code ip netns exec NS}; empty for none
     */
    public static ServerProcess start(List<String> prefix, Path log, List<String> listeners, String... args) {
        return start(Map.of(), prefix, log, listeners, args);
    }

    /** As {@link #start(List, Path, List, String...)}, with {@code env} added to its environment. */
    public static ServerProcess start(Map<String, String> env, List<String> prefix, Path log, List<String> listeners,
            String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        // Its log is a file to read when a test fails: at INFO, unlike the test JVM's own (logback-test.xml).
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-DBOOTFERRY_TEST_LOG_LEVEL=INFO", "-cp", System.getProperty("java.class.path"),
                "org.bootferry.cli.Main", "serve"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(cmd);
            builder.environment().putAll(env);
            p = builder.redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Integer> ports = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ports.keySet().containsAll(listeners)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("bootferry serve " + String.join(" ", args) + " did not start:\n" + read(log));
            }
            for (String line : read(log).split("\n")) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    ports.put(m.group(1), Integer.parseInt(m.group(4)));
                }
            }
            sleep(50);
        }
        return new ServerProcess(p, log, ports);
    }

    /** The port a listener reported it bound (useful with port 0). */
    public int port(String listener) {
        return ports.get(listener);
    }

    public String log() {
        return read(log);
    }

    /** Sends it a signal by name ({@code HUP}, {@code TERM}), as systemd or an admin's kill does. */
    public void signal(String name) {
        Processes.run(List.of("kill", "-" + name, Long.toString(process.pid())), 10);
    }

    /** Waits for it to end by itself (after a signal) and returns its exit code. */
    public int exitCode() {
        waitFor();
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Ends it as a crash or power loss would: SIGKILL, no shutdown hooks. */
    public void kill9() {
        process.destroyForcibly();
        waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
