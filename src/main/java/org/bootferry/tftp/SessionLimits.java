package org.bootferry.tftp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import org.bootferry.lang.Quota;
import org.bootferry.lang.QuietLog;

/**
 * What a client past {@link TftpSettings#maxSessionsPerClient} or {@link TftpSettings#maxSessions} gets:
 * an ERROR saying which limit, a count in {@code bootferry_tftp_limited_total{limit}}, and one log line
 * per client and limit per minute however many requests it sends.
 */
final class SessionLimits {

    private final Map<Quota.Limit, Counter> counters;
    private final QuietLog lines;

    /** @param lines where the refusals are logged, once per client and limit a minute */
    SessionLimits(MeterRegistry registry, QuietLog lines) {
        this.lines = lines;
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
        lines.log(QuietLog.Level.WARN, client.getAddress(), limit.name(), "refused RRQ from " + client + ": " + why);
        return why;
    }
}
