package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One line per client and cause a minute, on a clock of the test's own; the next line says how many were held back. */
class QuietLogTest {

    private static final long MINUTE = QuietLog.INTERVAL.toNanos();

    private final AtomicLong clock = new AtomicLong(5 * MINUTE);
    private final Logger logger = (Logger) LoggerFactory.getLogger(QuietLogTest.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final QuietLog quiet = new QuietLog(logger, clock::get);

    @BeforeEach
    void capture() {
        logger.setLevel(Level.INFO);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void aFloodIsOneLinePerIntervalAndTheNextSaysHowManyWereHeldBack() {
        for (int i = 0; i < 1000; i++) {
            quiet.log(QuietLog.Level.WARN, "10.0.0.7", "malformed", "malformed request " + i + " from 10.0.0.7");
            clock.addAndGet(MINUTE / 2000); // the thousand within half a minute
        }
        assertThat(lines()).containsExactly("malformed request 0 from 10.0.0.7");

        clock.addAndGet(MINUTE);
        quiet.log(QuietLog.Level.WARN, "10.0.0.7", "malformed", "malformed request 1000 from 10.0.0.7");
        assertThat(lines()).containsExactly("malformed request 0 from 10.0.0.7",
                "malformed request 1000 from 10.0.0.7 (and 999 more times since the last line)");
        assertThat(logged.list).extracting(ILoggingEvent::getLevel).containsOnly(Level.WARN);
    }

    @Test
    void clientsAndCausesAreCountedApart() {
        for (int i = 0; i < 10; i++) {
            quiet.log(QuietLog.Level.INFO, "10.0.0.7", "malformed", "a");
            quiet.log(QuietLog.Level.INFO, "10.0.0.8", "malformed", "b");
            quiet.log(QuietLog.Level.INFO, "10.0.0.7", "not found", "c");
        }
        assertThat(lines()).containsExactly("a", "b", "c");
    }

    @Test
    void aFailureCarriesItsTraceOncePerInterval() {
        IllegalStateException bug = new IllegalStateException("a bug a packet ran into");
        for (int i = 0; i < 100; i++) {
            quiet.error("10.0.0.7", "failed", "failed on a datagram from 10.0.0.7", bug);
        }
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("a bug a packet ran into");
        });
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
