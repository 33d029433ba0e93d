package org.bootferry.dhcp;

import java.util.List;
import org.bootferry.lang.Ipv4;

/**
 * What the ProxyDHCP responder answers at all, read at every request so that an edit applies to the
 * next one (server.yaml's {@code proxyDhcp:} section, live).
 *
 * @param answersPerSecond answers to all clients together per second (a burst of as many at once);
 *                         past it requests go unanswered, so no flood of invented MACs makes the
 *                         responder plan, journal and send without bound
 * @param relaySubnets     networks whose relay agents (giaddr, RFC 2131 §4.1) are answered besides
 *                         the networks of this host's interfaces
 */
public record ProxyLimits(int answersPerSecond, List<Ipv4.Network> relaySubnets) {

    /**
     * A boot takes 2-6 answers (DISCOVER and 4011 for the ROM, again for iPXE): 5,000 a second answer
     * 1,000 machines that start within the same 1.2 s, and are 4 % of what the responder sends at
     * most (117-125k a second, docs/benchmarks.md, ProxyDHCP).
     */
    public static final ProxyLimits DEFAULTS = new ProxyLimits(5000, List.of());

    public ProxyLimits {
        if (answersPerSecond < 1) {
            throw new IllegalArgumentException("ProxyDHCP needs at least 1 answer a second, got " + answersPerSecond);
        }
        relaySubnets = List.copyOf(relaySubnets);
    }
}
