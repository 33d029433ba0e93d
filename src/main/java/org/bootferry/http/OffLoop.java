package org.bootferry.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Work that may block, done on the blocking pool and answered back on the channel's event loop. An
 * event loop serves many connections: a request that waited there for a disk or an image pull would
 * stall every other machine's script and files on that loop.
 */
final class OffLoop {

    /** What to send once the work is done; runs on the channel's loop. */
    @FunctionalInterface
    interface Answer {
        void send(Exchange ex);
    }

    /** The blocking part; returns how to answer. */
    @FunctionalInterface
    interface Work {
        Answer run() throws IOException;
    }

    /**
     * A change of durable state (file and directory fsync: milliseconds, or seconds on a busy disk);
     * returns the answer's text.
     */
    @FunctionalInterface
    interface StateChange {
        String apply() throws IOException;
    }

    private final ExecutorService blocking;

    OffLoop(ExecutorService blocking) {
        this.blocking = blocking;
    }

    /**
     * Runs {@code work} on the blocking pool and sends its answer, or {@code failed}'s answer when it
     * threw, on the channel's loop.
     */
    void answer(Exchange ex, Work work, Function<Exception, Answer> failed) {
        Exchange held = ex.retained();
        try {
            blocking.execute(() -> {
                Answer answer;
                try {
                    answer = work.run();
                } catch (IOException | RuntimeException e) {
                    answer = failed.apply(e);
                }
                Answer chosen = answer;
                ex.ctx().executor().execute(() -> {
                    try {
                        chosen.send(held);
                    } finally {
                        held.release();
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            held.release();
            ex.sendText(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down");
        }
    }

    /** A state change answered with its text, or 500 with {@code failure} and the reason it failed. */
    void changeState(Exchange ex, String failure, StateChange change) {
        answer(ex, () -> {
            String text = change.apply();
            return later -> later.sendText(HttpResponseStatus.OK, text);
        }, e -> later -> later.sendText(HttpResponseStatus.INTERNAL_SERVER_ERROR, failure + e.getMessage()));
    }
}
