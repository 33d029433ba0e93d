package org.bootferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Log lines to stderr (logback.xml's appender), written in batches: a line at WARN or above goes out
 * at once with every line before it, any other within {@value #DELAY_MILLIS} ms, and all at exit.
 * The HTTP listener logs a line per request; written one {@code write(2)} each (System.err flushes
 * every write) they cost more CPU than the request's answer. Whole lines only: a batch never splits
 * one, so journald, reading the stream line by line, sees the same lines.
 */
public final class StderrAppender extends OutputStreamAppender<ILoggingEvent> {

    static final long DELAY_MILLIS = 20;
    private static final int BUFFER = 64 * 1024;

    private final AtomicBoolean flushDue = new AtomicBoolean();
    private OutputStream target = new FileOutputStream(FileDescriptor.err) {
        @Override
        public void close() {
            // stderr stays open for whatever writes after logging stops (the JVM's own last words).
        }
    };
    private ScheduledExecutorService flusher;

    /** For a test: lines go to {@code out} instead of stderr. Before {@link #start}. */
    void target(OutputStream out) {
        this.target = out;
    }

    @Override
    public void start() {
        setOutputStream(new BufferedOutputStream(target, BUFFER));
        setImmediateFlush(false);
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bootferry-log-flush");
            t.setDaemon(true);
            return t;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(this::flush, "bootferry-log-flush-at-exit"));
        super.start();
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        super.subAppend(event);
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            flush();
        } else if (!flushDue.getAndSet(true)) {
            flusher.schedule(() -> {
                flushDue.set(false); // first: a line written after this is flushed now or by the next schedule
                flush();
            }, DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void stop() {
        flush();
        super.stop();
        flusher.shutdown();
    }

    private void flush() {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null) {
                out.flush();
            }
        } catch (IOException e) {
            addError("could not write log lines to stderr", e);
        } finally {
            streamWriteLock.unlock();
        }
    }
}
