package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Log lines reach stderr in batches of whole lines: a warning at once, others soon, all at stop. */
class StderrAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    /** How many write calls reached stderr: a batch is one. */
    private final AtomicInteger writes = new AtomicInteger();
    private final StderrAppender appender = new StderrAppender();
    private Logger log;

    @BeforeEach
    void start() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.target(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (written) {
                    written.write(b, off, len);
                    writes.incrementAndGet();
                }
            }
        });
        appender.start();
        log = context.getLogger("test");
        log.addAppender(appender);
    }

    @AfterEach
    void stop() {
        appender.stop();
    }

    private String text() {
        synchronized (written) {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aWarningGoesOutAtOnceAfterTheLinesBeforeIt() {
        log.info("one");
        log.info("two");
        log.warn("three");
        assertThat(text()).isEqualTo("INFO one\nINFO two\nWARN three\n");
        assertThat(writes).hasValue(1);
    }

    @Test
    void anInfoLineGoesOutWithinTheDelay() throws Exception {
        log.info("soon");
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (text().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(text()).isEqualTo("INFO soon\n");
    }

    @Test
    void stopWritesWhatIsLeft() {
        log.info("last");
        appender.stop();
        assertThat(text()).isEqualTo("INFO last\n");
    }

    @Test
    void linesFromManyThreadsArriveWholeAndInFewerWrites() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    log.info("thread {} line {} {}", thread, i, "x".repeat(i % 200));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        appender.stop();
        List<String> lines = text().lines().toList();
        assertThat(lines).hasSize(20_000).allMatch(l -> l.matches("INFO thread \\d line (\\d+) x*")
                && l.endsWith(" " + "x".repeat(Integer.parseInt(l.split(" ")[4]) % 200)));
        assertThat(writes.get()).as("writes for 20,000 lines").isLessThan(2_000);
    }
}
