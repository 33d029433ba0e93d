package org.bootferry.storm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the kernel says about a server's processes (proc(5)): peak resident set ({@code VmHWM} in
 * {@code /proc/PID/status}) and CPU time in user and in system mode (utime and stime, fields 14 and 15
 * of {@code /proc/PID/stat}, in clock ticks of 1/100 s on Linux), kept apart: system time is the
 * kernel's work for the process (sendfile, UDP and TCP, and on loopback and veth the receiving side's
 * processing of what it sends), set by the bytes and datagrams a server moves rather than by how fast
 * its own code runs. Several processes (dnsmasq, nginx and its workers) add up; their shared pages
 * count once per process, so a sum of peaks is an upper bound. Beside them, the
 * time all cores spent busy ({@link #hostBusyTicks}), which says whether the storm had the cores to
 * itself and how much of them the generator took.
 */
record ProcStats(long peakRssKib, long userTicks, long systemTicks) {

    private static final int TICKS_PER_SECOND = 100;

    static ProcStats of(List<Long> pids) {
        long rss = 0;
        long user = 0;
        long system = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmHWM:")) {
                        rss += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // the command name in parentheses may hold spaces: fields count from after its ')'
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                user += Long.parseLong(fields[11]);
                system += Long.parseLong(fields[12]);
            } catch (IOException | RuntimeException e) {
                // a process that ended between listing and reading: nothing to add
            }
        }
        return new ProcStats(rss, user, system);
    }

    /** The generator's own process: its client threads and their sockets' system calls. */
    static ProcStats self() {
        return of(List.of(ProcessHandle.current().pid()));
    }

    /**
     * Clock ticks all cores spent busy since boot: the first line of {@code /proc/stat}, user + nice +
     * system + irq + softirq + steal (idle and iowait left out), the same in every network namespace.
     */
    static long hostBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double seconds(long ticks) {
        return ticks / (double) TICKS_PER_SECOND;
    }

    Cpu cpuSince(ProcStats before) {
        return new Cpu(seconds(userTicks - before.userTicks), seconds(systemTicks - before.systemTicks));
    }

    /** CPU seconds in user and in system mode. */
    record Cpu(double user, double system) {
        double total() {
            return user + system;
        }
    }

    double peakRssMib() {
        return peakRssKib / 1024.0;
    }
}
