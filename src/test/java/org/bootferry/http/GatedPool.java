package org.bootferry.http;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A server's blocking pool with a gate a test may close: each task first waits for the gate that is
 * current when it starts, counted in {@code held} while it waits.
 */
final class GatedPool {

    private GatedPool() {
    }

    static ExecutorService of(Supplier<CountDownLatch> gate, AtomicInteger held) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>()) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                held.incrementAndGet();
                try {
                    gate.get().await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
        };
    }
}
