package org.bootferry.image;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a failing registry request is tried again: exponential backoff with
 * jitter (so a thousand servers don't retry in step), capped, honouring Retry-After up to the cap.
 */
public record RetryPolicy(int attempts, Duration initialDelay, Duration maxDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10));

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }

    /** Delay before attempt {@code next} (2, 3, …): initial × 2^(next-2), capped, between 50 % and 100 % of that. */
    Duration delayBefore(int next, Duration retryAfter) {
        if (retryAfter != null && !retryAfter.isNegative()) {
            return retryAfter.compareTo(maxDelay) > 0 ? maxDelay : retryAfter;
        }
        long base = initialDelay.toMillis() << Math.min(20, next - 2);
        long capped = Math.min(base, maxDelay.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
