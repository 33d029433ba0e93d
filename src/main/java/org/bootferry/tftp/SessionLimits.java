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
 * per client and limit per minute however many requests it sends. And what happens to a request that
 * waited to be opened until its client had surely given up: dropped unanswered, counted in
 * {@code bootferry_tftp_dropped_total{reason="client-gave-up"}}, a line per client a minute.
 */
final class SessionLimits {

    private final Map<Quota.Limit, Counter> counters;
    private final QuietLog lines;
    private final Counter gaveUp;

    /** @param lines where the refusals are logged, once per client and limit a minute */
    SessionLimits(MeterRegistry registry, QuietLog lines) {
        this.lines = lines;
        this.counters = Map.of(
                Quota.Limit.PER_CLIENT, counter(registry, "sessions-per-client"),
                Quota.Limit.TOTAL, counter(registry, "sessions-total"));
        this.gaveUp = Counter.builder("bootferry_tftp_dropped")
                .description("TFTP requests dropped unanswered because their client had surely given up")
                .tag("reason", "client-gave-up").register(registry);
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

    /** Counts and logs a request dropped because its client last asked {@code silentMillis} ago. */
    void gaveUp(InetSocketAddress client, String name, long silentMillis) {
        gaveUp.increment();
        lines.log(QuietLog.Level.WARN, client.getAddress(), "gave-up", "dropped RRQ '" + name + "' from " + client
                + " unanswered: its client last asked " + silentMillis + " ms ago and has given up (the server is"
                + " behind: more requests than it opens)");
    }
}
