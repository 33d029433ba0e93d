package org.bootferry.testing;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates while running a piece of code (HotSpot's per-thread counter),
 * for fuzz targets asserting that a parser's memory follows the input it was given, never a length
 * field inside it: a 20-byte packet claiming a 2 GiB option must not make anyone allocate 2 GiB.
 */
public final class Allocation {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Runs code that may throw anything; the caller checks its outcome. */
    public interface Code {
        void run() throws Exception;
    }

    private Allocation() {
    }

    /**
     * Runs {@code code} and fails when it allocated more than {@code perInputByte} times the input's
     * length plus {@code fixed} bytes; exceptions from {@code code} pass through unchanged. The code
     * runs twice and the second run counts: the first loads and initialises the classes its path
     * needs, which a long-running server has done long before.
     */
    public static void bounded(int inputLength, long perInputByte, long fixed, Code code) throws Exception {
        code.run();
        long thread = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        try {
            code.run();
        } finally {
            long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
            long limit = fixed + perInputByte * inputLength;
            if (allocated > limit) {
                throw new AssertionError(allocated + " bytes allocated for a " + inputLength
                        + "-byte input (limit " + limit + "): memory follows a length field, not the input");
            }
        }
    }
}
