package org.bootferry.image;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * At most one fetch per key at a time: a call for a key whose fetch is running joins it, so a
 * thousand machines booting one image or one install tree wait for one download. Both resolvers
 * ({@link ImageResolver}, {@link TreeResolver}) go through one of these.
 */
final class SingleFlight<K, V> {

    /** The fetch itself; it tells its own listener how it ended. */
    interface Work<V> {
        V run() throws ImageException;
    }

    private final Map<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /**
     * The fetch in progress for {@code key}, else {@code work} started on {@code runner}.
     *
     * @param what named in the error when {@code runner} was shut down
     */
    CompletableFuture<V> run(K key, Executor runner, Work<V> work, String what) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        try {
            // Started only once it is in the map, so that its removal can never come first.
            runner.execute(() -> {
                try {
                    mine.complete(work.run());
                } catch (ImageException | RuntimeException e) {
                    mine.completeExceptionally(e);
                } catch (Error e) {
                    mine.completeExceptionally(e); // joiners must not wait for ever
                    throw e;
                } finally {
                    inFlight.remove(key, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, mine);
            mine.completeExceptionally(new ImageException("resolver closed: " + what + " not fetched", e));
        }
        return mine;
    }

    /** Waits for a fetch, throwing what it threw. */
    static <V> V join(CompletableFuture<V> running) throws ImageException {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while waiting for a fetch in progress", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ImageException ie) {
                throw ie;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) e.getCause();
        }
    }
}
