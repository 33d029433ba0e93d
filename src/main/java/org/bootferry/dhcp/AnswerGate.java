package org.bootferry.dhcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.bootferry.lang.Ipv4;
import org.bootferry.lang.QuietLog;
import org.slf4j.LoggerFactory;

/**
 * Which boot requests the ProxyDHCP responder answers at all: a relay agent only on a network it
 * knows, each MAC no more often than {@link DhcpSettings} allows, all clients together no more often
 * than {@link ProxyLimits#answersPerSecond}. A request left unanswered is counted in
 * {@code bootferry_dhcp_dropped_total{reason}} and logged once per client and reason per minute with
 * how many like it were not logged. Safe for the responder's event loops to call concurrently.
 */
final class AnswerGate {


    /** Why a request goes unanswered: the metric's {@code reason} tag. */
    enum Drop {
        /** giaddr on no configured subnet and no network of this host. */
        RELAY,
        /** This MAC asked more often than its burst and rate allow. */
        PER_MAC,
        /** All clients together asked for more than {@link ProxyLimits#answersPerSecond}. */
        TOTAL;

        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final DhcpSettings settings;
    private final Supplier<ProxyLimits> limits;
    private final Supplier<List<Ipv4.Network>> connected;
    private final MacRateLimiter perMac;
    private final LongSupplier clock;
    private final QuietLog lines;
    private final Map<Drop, Counter> dropped = new EnumMap<>(Drop.class);
    /** The token bucket of all answers: {@code answersPerSecond} at once, then that many a second. */
    private double tokens = -1;
    private long tokensAt;

    /**
     * @param limits    the limits in force, asked for at each request
     * @param connected the networks of this host, where relay agents need no configuration
     * @param nanoClock as {@link System#nanoTime}; a test's own
     */
    AnswerGate(DhcpSettings settings, Supplier<ProxyLimits> limits, Supplier<List<Ipv4.Network>> connected,
               MeterRegistry registry, LongSupplier nanoClock) {
        this.settings = settings;
        this.limits = limits;
        this.connected = connected;
        this.perMac = new MacRateLimiter(settings.answersPerMac(), settings.answersPerSecond(), nanoClock);
        this.clock = nanoClock;
        this.lines = new QuietLog(LoggerFactory.getLogger(AnswerGate.class), nanoClock);
        for (Drop drop : Drop.values()) {
            dropped.put(drop, Counter.builder("bootferry_dhcp_dropped")
                    .description("ProxyDHCP requests not answered: relay agent on an unknown network, or a rate limit")
                    .tag("reason", drop.tag()).register(registry));
        }
    }

    /**
     * True unless {@code request} came through a relay agent (RFC 2131 §4.1: giaddr set) whose address
     * is on neither a {@link ProxyLimits#relaySubnets} network nor a network of this host: an answer
     * would go to whatever address the sender wrote there.
     */
    boolean relayKnown(PxeRequest request, InetSocketAddress sender) {
        Inet4Address giaddr = request.message().giaddr();
        if (giaddr.equals(DhcpMessage.ZERO) || on(limits.get().relaySubnets(), giaddr) || on(connected.get(), giaddr)) {
            return true;
        }
        drop(giaddr.getHostAddress(), Drop.RELAY, "not answering " + request.mac() + " relayed by "
                + giaddr.getHostAddress() + " (from " + sender.getAddress().getHostAddress() + "): the relay"
                + " agent is on no network of this host and none in proxyDhcp.relaySubnets");
        return false;
    }

    /** True when neither {@code request}'s MAC nor all clients together have used up their answers (and counts it). */
    boolean withinRates(PxeRequest request) {
        if (!perMac.tryAcquire(request.mac())) {
            drop(request.mac(), Drop.PER_MAC, "not answering " + request.mac() + ": it asked"
                    + " more often than " + settings.answersPerMac() + " at once and " + settings.answersPerSecond()
                    + " a second, the per-MAC limit");
            return false;
        }
        int perSecond = limits.get().answersPerSecond();
        if (!takeAnswer(perSecond)) {
            drop("", Drop.TOTAL, "not answering " + request.mac() + ": the responder answers at most "
                    + perSecond + " requests a second from all clients (proxyDhcp.maxAnswersPerSecond)");
            return false;
        }
        return true;
    }

    /** The total bucket, refilled at the rate in force: a rate edited down applies to the next request. */
    private synchronized boolean takeAnswer(int perSecond) {
        long now = clock.getAsLong();
        tokens = tokens < 0 ? perSecond : Math.min(perSecond, tokens + (now - tokensAt) * (perSecond / 1e9));
        tokensAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** @param client what the line is about: a relay's address, a MAC, or {@code ""} for all clients */
    private void drop(Object client, Drop drop, String why) {
        dropped.get(drop).increment();
        lines.log(QuietLog.Level.WARN, client, drop.tag(), why);
    }

    private static boolean on(List<Ipv4.Network> networks, Inet4Address address) {
        for (Ipv4.Network network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
