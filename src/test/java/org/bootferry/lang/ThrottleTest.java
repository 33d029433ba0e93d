package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottleTest {

    private final AtomicLong now = new AtomicLong();
    private final Throttle<String> throttle = new Throttle<>(Duration.ofSeconds(60), 2, now::get);

    @Test
    void theFirstOccurrenceIsWrittenTheRestOfTheIntervalCountedAndTheNextWrittenWithTheCount() {
        assertThat(throttle.occurred("a")).isEqualTo(new Throttle.Verdict(true, 0));
        assertThat(throttle.occurred("a")).isEqualTo(new Throttle.Verdict(false, 1));
        assertThat(throttle.occurred("a")).isEqualTo(new Throttle.Verdict(false, 2));
        assertThat(throttle.occurred("b")).as("another key has its own interval").isEqualTo(new Throttle.Verdict(true, 0));
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(throttle.occurred("a")).isEqualTo(new Throttle.Verdict(true, 2));
        assertThat(throttle.occurred("a")).isEqualTo(new Throttle.Verdict(false, 1));
    }

    @Test
    void pastItsKeysTheCountsStartOver() {
        throttle.occurred("a");
        throttle.occurred("b");
        assertThat(throttle.occurred("c")).isEqualTo(new Throttle.Verdict(true, 0));
        assertThat(throttle.occurred("a")).as("forgotten: written again").isEqualTo(new Throttle.Verdict(true, 0));
    }
}
