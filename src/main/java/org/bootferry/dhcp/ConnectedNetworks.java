package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.bootferry.lang.Ipv4;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPv4 networks of this host's interfaces that are up (loopback included): the links a relay
 * agent may sit on without being configured. Read again at most every {@link #REREAD_NANOS}, so an
 * address added later counts soon and a flood of relayed requests doesn't walk the interfaces per packet.
 */
final class ConnectedNetworks implements Supplier<List<Ipv4.Network>> {

    private static final Logger log = LoggerFactory.getLogger(ConnectedNetworks.class);
    static final long REREAD_NANOS = 10_000_000_000L;

    private record Read(long atNanos, List<Ipv4.Network> networks) {
    }

    private final LongSupplier clock;
    private volatile Read last;

    ConnectedNetworks(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    @Override
    public List<Ipv4.Network> get() {
        long now = clock.getAsLong();
        Read read = last;
        if (read == null || now - read.atNanos() >= REREAD_NANOS) {
            read = new Read(now, list(read == null ? List.of() : read.networks()));
            last = read;
        }
        return read.networks();
    }

    /** The networks now; on a failure to list them, the ones read before (and a line saying so). */
    private static List<Ipv4.Network> list(List<Ipv4.Network> before) {
        List<Ipv4.Network> found = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address address) {
                        found.add(Ipv4.Network.of(address, a.getNetworkPrefixLength()));
                    }
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list this host's networks to check relay agents against: {}; keeping the last ones",
                    e.getMessage());
            return before;
        }
        return List.copyOf(found);
    }
}
