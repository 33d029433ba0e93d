package org.bootferry.lang;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The log lines a client can cause at will (a bad packet, a refused request, a limit hit), written
 * through a {@link Throttle}: one line per client and cause per minute, the next one saying how many
 * like it were held back. A flood then costs a line a minute, not a line a packet.
 */
public final class QuietLog {

    /** How often one client's lines of one cause are written. */
    public static final Duration INTERVAL = Duration.ofMinutes(1);
    /** Clients and causes throttled apart; more at once start the counts over (a line too many, none lost). */
    private static final int KEYS = 4096;

    /** The level a line is written at. */
    public enum Level { INFO, WARN, ERROR }

    /** One line's subject. */
    private record Key(Object client, String cause) {
    }

    private final Logger log;
    private final Throttle<Key> throttle;

    public QuietLog(Logger log) {
        this(log, System::nanoTime);
    }

    /** @param nanoClock as {@link System#nanoTime}: a test's own */
    public QuietLog(Logger log, LongSupplier nanoClock) {
        this.log = log;
        this.throttle = new Throttle<>(INTERVAL, KEYS, nanoClock);
    }

    /**
     * Writes {@code line} unless a line of {@code client} and {@code cause} was written less than a
     * minute ago (then it is only counted).
     *
     * @param client who caused it: an address, a MAC; {@code ""} for what all clients cause together
     * @param cause  what kind of line it is: lines of one cause are counted together
     */
    public void log(Level level, Object client, String cause, String line) {
        Throttle.Verdict verdict = throttle.occurred(new Key(client, cause));
        if (!verdict.write()) {
            return;
        }
        // As an argument, not the format: a client's text may hold a "{}".
        String written = line + verdict.note();
        switch (level) {
            case INFO -> log.info("{}", written);
            case WARN -> log.warn("{}", written);
            case ERROR -> log.error("{}", written);
        }
    }

    /**
     * As {@link #log(Level, Object, String, String)}, with the stack trace of a failure that is ours,
     * not the client's (a bug a client's packet ran into): written once a minute, not once a packet.
     */
    public void error(Object client, String cause, String line, Throwable failure) {
        Throttle.Verdict verdict = throttle.occurred(new Key(client, cause));
        if (verdict.write()) {
            log.error("{}", line + verdict.note(), failure);
        }
    }
}
