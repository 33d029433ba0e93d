package org.bootferry.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.bootferry.lang.Quota;

/**
 * Work that may block, done on the blocking pool and answered back on the channel's event loop. An
 * event loop serves many connections: a request that waited there for a disk or an image pull would
 * stall every other machine's script and files on that loop. A wait for a pull holds no thread at all:
 * the pull's completion hands the request back to the loop.
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
    private final Guard guard;

    OffLoop(ExecutorService blocking, Guard guard) {
        this.blocking = blocking;
        this.guard = guard;
    }

    /**
     * As {@link #answer(Exchange, Work, Function)} once {@code ready} completes (an image pull): until
     * then the request holds no thread, only its place in the waiting limits ({@link HttpLimits#waiting},
     * {@link HttpLimits#waitingPerClient}; past one it is answered 503 at once), and the event loop takes
     * it up again when the pull ends. {@code ready}'s failure is answered by {@code failed}.
     */
    void answer(Exchange ex, CompletableFuture<Void> ready, Work work, Function<Exception, Answer> failed) {
        if (ready.isDone()) {
            resume(ex, ready, work, failed);
            return;
        }
        InetAddress client = ex.remote();
        Optional<Quota.Limit> refused = guard.startWaiting(client);
        if (refused.isPresent()) {
            HttpLimits limits = guard.limits();
            String why = refused.get() == Quota.Limit.PER_CLIENT
                    ? "too many requests from " + client.getHostAddress() + " waiting for an image pull: the server"
                            + " holds " + limits.waitingPerClient() + " at once from one client"
                    : "too many requests waiting for image pulls: the server holds " + limits.waiting() + " at once";
            guard.hit(client, Guard.tag("waiting", refused.get()), why);
            ex.sendText(HttpResponseStatus.SERVICE_UNAVAILABLE, why);
            return;
        }
        Exchange held = ex.retained();
        ready.whenComplete((done, failure) -> {
            guard.stoppedWaiting(client);
            ex.ctx().executor().execute(() -> {
                try {
                    if (held.ctx().channel().isActive()) {
                        resume(held, ready, work, failed);
                    }
                } finally {
                    held.release();
                }
            });
        });
    }

    /** Answers once {@code ready} is done: {@code work} off the loop, or its failure at once. */
    private void resume(Exchange ex, CompletableFuture<Void> ready, Work work, Function<Exception, Answer> failed) {
        try {
            ready.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            failed.apply(cause instanceof Exception x ? x : new IOException(cause.toString(), cause)).send(ex);
            return;
        }
        answer(ex, work, failed);
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
