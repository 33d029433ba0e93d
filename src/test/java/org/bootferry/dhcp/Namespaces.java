package org.bootferry.dhcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bootferry.testing.Processes;

/**
 * Network namespaces a test creates and removes again (also after a failure), and the processes it
 * starts in them. Names carry the helper prefix {@code bfd}.
 */
final class Namespaces implements AutoCloseable {

    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    String create(String name) {
        run("ip", "netns", "del", name);  // a leftover of an interrupted run
        check("ip", "netns", "add", name);
        namespaces.add(name);
        check("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Runs a command inside {@code ns}; fails the test when it fails. */
    void exec(String ns, String... command) {
        check(inside(ns, command));
    }

    /** Starts a long-running process inside {@code ns}; it is destroyed on close. */
    Process start(String ns, String... command) throws IOException {
        Process p = new ProcessBuilder(inside(ns, command)).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** A command line that runs {@code main} in a new JVM with the tests' class path. */
    static String[] java(Class<?> main, String... args) {
        String[] command = new String[args.length + 4];
        command[0] = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = main.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        return command;
    }

    static String[] inside(String ns, String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    static void check(String... command) {
        Result r = run(command);
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + r.exit + "): " + r.output);
        }
    }

    record Result(int exit, String output) {
    }

    static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + " (timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    @Override
    public void close() {
        processes.forEach(Processes::stop);
        for (String ns : namespaces) {
            run("ip", "netns", "del", ns);
        }
    }
}
