package org.bootferry.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in server.yaml: {@code 1h}, {@code 30m}, {@code 1h30m}, {@code 2d},
 * {@code 90s}, or a bare number of seconds ({@code 3600}), the unit dnsmasq and Kea count leases in.
 */
final class TimeSpan {

    private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");

    private TimeSpan() {
    }

    /** The duration; empty when the text is not one. */
    static Optional<Duration> parse(String text) {
        String t = text.strip();
        if (t.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(t)));
        }
        if (!t.matches("(\\d{1,9}[dhms])+")) {
            return Optional.empty();
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return Optional.of(total);
    }
}
