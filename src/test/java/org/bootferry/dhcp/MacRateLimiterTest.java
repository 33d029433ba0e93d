package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class MacRateLimiterTest {

    private final AtomicLong now = new AtomicLong();
    private final MacRateLimiter limiter = new MacRateLimiter(3, 2, now::get);
    private final MacAddress looping = MacAddress.parse("52:54:00:00:00:01");

    @Test
    void loopingClientGetsItsBurstThenTwoAnswersASecond() {
        assertThat(limiter.tryAcquire(looping)).isTrue();
        assertThat(limiter.tryAcquire(looping)).isTrue();
        assertThat(limiter.tryAcquire(looping)).isTrue();
        assertThat(limiter.tryAcquire(looping)).isFalse();

        now.addAndGet(500_000_000L);
        assertThat(limiter.tryAcquire(looping)).isTrue();
        assertThat(limiter.tryAcquire(looping)).isFalse();
    }

    @Test
    void oneLoopingClientDoesNotSilenceAnother() {
        for (int i = 0; i < 10; i++) {
            limiter.tryAcquire(looping);
        }
        assertThat(limiter.tryAcquire(MacAddress.parse("52:54:00:00:00:02"))).isTrue();
    }
}
