package org.bootferry.lang;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * What this process may hold at once, from which the defaults of session limits are derived instead
 * of being constants: its open-file limit and its heap.
 */
public final class ProcessLimits {

    /** The open-file limit assumed where the platform does not say. */
    static final long UNKNOWN_OPEN_FILES = 4096;

    private ProcessLimits() {
    }

    /**
     * The open-file limit (RLIMIT_NOFILE; on Linux the JVM raises its soft limit to the hard one at
     * start, so this is the hard one), or {@value #UNKNOWN_OPEN_FILES} where unknown.
     */
    public static long openFiles() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount()
                : UNKNOWN_OPEN_FILES;
    }

    /**
     * Descriptors a session limit leaves to the rest: listeners, the log, files being read. HTTP
     * connections beyond these share the remainder with sessions and are bounded by their own limit.
     */
    static final long RESERVED_FDS = 1024;
    /**
     * What a session is taken to hold: a TFTP transfer over a shared file holds its socket and 0.8 KiB
     * in its eleven largest objects (channel, pipeline, transfer, timer; class histogram of ~6,200
     * transfers in a 10,000-machine storm, docs/benchmarks.md), about 2 KiB with the small ones, and
     * no buffer between windows; 4 KiB leaves room for what passes through it. (At 16 KiB, a heap
     * of 384 MiB capped a storm at 6,144 transfers while it held 375 MiB of RSS in all.)
     */
    static final long SESSION_BYTES = 4 << 10;

    /**
     * How many sessions of one socket each (a TFTP transfer) this process holds: the open-file limit
     * less {@value #RESERVED_FDS}, and a quarter of the largest heap at {@value #SESSION_BYTES} bytes a
     * session; at least 1, at most 1,000,000. The default of {@code tftp.maxSessions}.
     */
    public static int sessions() {
        return sessions(openFiles(), Runtime.getRuntime().maxMemory(), RESERVED_FDS, SESSION_BYTES);
    }

    static int sessions(long openFiles, long maxHeap, long reserveFds, long bytesEach) {
        long byFds = openFiles - reserveFds;
        long byHeap = maxHeap / 4 / bytesEach;
        return (int) Math.max(1, Math.min(1_000_000, Math.min(byFds, byHeap)));
    }
}
