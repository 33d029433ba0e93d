package org.bootferry.tftp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.bootferry.lang.Quota;
import org.bootferry.lang.Throttle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client past {@link TftpSettings#maxSessionsPerClient} or {@link TftpSettings#maxSessions} gets:
 * an ERROR saying which limit, a count in {@code bootferry_tftp_limited_total{limit}}, and one log line
 * per client and limit per minute however many requests it sends.
 */
final class SessionLimits {

    private static final Logger log = LoggerFactory.getLogger(TftpServer.class);
    /** Clients whose log lines are throttled apart; more at once start the counts over. */
    private static final int LOGGED_CLIENTS = 4096;

    private record Logged(InetAddress client, Quota.Limit limit) {
    }

    private final Map<Quota.Limit, Counter> counters;
    private final Throttle<Logged> lines = new Throttle<>(Duration.ofMinutes(1), LOGGED_CLIENTS);

    SessionLimits(MeterRegistry registry) {
        this.counters = Map.of(
                Quota.Limit.PER_CLIENT, counter(registry, "sessions-per-client"),
                Quota.Limit.TOTAL, counter(registry, "sessions-total"));
    }

    private static Counter counter(MeterRegistry registry, String limit) {
        return Counter.builder("bootferry_tftp_limited").description("TFTP requests refused by a session limit")
                .tag("limit", limit).register(registry);
    }

    /** Counts and logs the refusal; returns the ERROR's text. */
    String refused(InetSocketAddress client, Quota.Limit limit, TftpSettings settings) {
        String why = limit == Quota.Limit.PER_CLIENT
                ? "server busy: " + client.getAddress().getHostAddress() + " has " + settings.maxSessionsPerClient()
                        + " transfers in progress, the limit per client (tftp.maxSessionsPerClient); retry later"
                : "server busy: " + settings.maxSessions() + " transfers in progress, the configured limit"
                        + " (tftp.maxSessions); retry later";
        counters.get(limit).increment();
        Throttle.Verdict verdict = lines.occurred(new Logged(client.getAddress(), limit));
        if (verdict.write()) {
            log.warn("refused RRQ from {}: {}{}", client, why, verdict.heldBack() == 0 ? ""
                    : " (and " + verdict.heldBack() + " more since the last line)");
        }
        return why;
    }
}
