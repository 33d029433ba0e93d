package org.bootferry.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark driver for bench/image-bench.sh (not a test): one mode per run, figures on stdout.
 * <pre>
 * cold   IMAGE CACHE KERNEL INITRD         resolve once into an empty cache (wall and the process's CPU, all threads)
 * warm   IMAGE CACHE KERNEL INITRD N       first resolve of this process, then fresh resolvers (disk records), then N memo hits
 * flight IMAGE CACHE KERNEL INITRD N       N threads resolve one uncached image at once
 * </pre>
 */
public final class ImageBench {

    private ImageBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        ImageRequest request = ImageRequest.of(args[1], Platform.LINUX_AMD64).withPaths(args[3], args[4]);
        try (ImageResolver resolver = new ImageResolver(ImageSettings.defaults(Path.of(args[2])))) {
            switch (mode) {
                case "cold" -> {
                    long cpu0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    ImageBootFiles files = resolver.resolve(request, PullListener.NONE);
                    System.out.printf(Locale.ROOT, "cold_ms=%.1f cold_cpu_ms=%.0f%n", (System.nanoTime() - t0) / 1e6,
                            (processCpuNanos() - cpu0) / 1e6);
                    files.summary().forEach(l -> System.out.println("# " + l));
                }
                case "warm" -> {
                    int n = Integer.parseInt(args[5]);
                    long t0 = System.nanoTime();
                    ImageBootFiles first = resolver.resolve(request, PullListener.NONE);
                    System.out.printf(Locale.ROOT, "warm_first_ms=%.3f from_cache=%s%n", (System.nanoTime() - t0) / 1e6,
                            first.stats().fromCache());
                    // a resolver that has not seen the request: tag and plan records read from disk
                    long fromDisk = 0;
                    int fresh = 100;
                    for (int i = 0; i < fresh; i++) {
                        try (ImageResolver other = new ImageResolver(ImageSettings.defaults(Path.of(args[2])))) {
                            long s = System.nanoTime();
                            other.resolve(request, PullListener.NONE);
                            fromDisk += System.nanoTime() - s;
                        }
                    }
                    System.out.printf(Locale.ROOT, "warm_from_disk_records_ms=%.3f (mean of %d)%n",
                            fromDisk / 1e6 / fresh, fresh);
                    long t1 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        resolver.resolve(request, PullListener.NONE);
                    }
                    System.out.printf(Locale.ROOT, "warm_memo_us=%.2f (n=%d)%n", (System.nanoTime() - t1) / 1e3 / n, n);
                }
                case "flight" -> {
                    int n = Integer.parseInt(args[5]);
                    ExecutorService pool = Executors.newFixedThreadPool(n);
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<ImageBootFiles>> results = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        results.add(pool.submit(() -> {
                            go.await();
                            return resolver.resolve(request, PullListener.NONE);
                        }));
                    }
                    long t0 = System.nanoTime();
                    go.countDown();
                    Digest kernel = null;
                    for (Future<ImageBootFiles> f : results) {
                        Digest d = f.get().kernel().digest();
                        if (kernel != null && !kernel.equals(d)) {
                            throw new IllegalStateException("requests got different kernels");
                        }
                        kernel = d;
                    }
                    pool.shutdown();
                    System.out.printf(Locale.ROOT, "flight_requests=%d all_done_ms=%.1f kernel=%s%n", n,
                            (System.nanoTime() - t0) / 1e6, kernel);
                }
                default -> throw new IllegalArgumentException("mode " + mode);
            }
        }
    }

    /** CPU of every thread of this JVM (the JIT's and GC's too): what a cold pull costs a loaded machine. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
