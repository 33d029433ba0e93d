package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bootferry.lang.Ipv4;

/**
 * One pool of server mode, as the listener serves it: its network known (from the config, or the
 * interface's own at start).
 *
 * @param iface   the interface whose link it serves; empty for a subnet behind a relay agent
 * @param network where its clients are; for a relayed pool, giaddr falls in it (RFC 2131 §4.3.1)
 * @param first   first address of the dynamic range
 * @param last    last address of the dynamic range
 */
public record AddressPool(Optional<String> iface, Ipv4.Network network, Inet4Address first, Inet4Address last,
        Optional<Inet4Address> router, List<Inet4Address> dns, Optional<String> domain, List<String> search,
        Duration leaseTime, OptionalInt mtu, boolean unknownMachines) {

    public AddressPool {
        dns = List.copyOf(dns);
        search = List.copyOf(search);
        if (!network.contains(first) || !network.contains(last)) {
            throw new IllegalArgumentException("range " + first.getHostAddress() + "-" + last.getHostAddress()
                    + " is not inside " + network);
        }
    }

    boolean inRange(Inet4Address address) {
        int a = Ipv4.toInt(address);
        return Integer.compareUnsigned(a, Ipv4.toInt(first)) >= 0 && Integer.compareUnsigned(a, Ipv4.toInt(last)) <= 0;
    }

    /** An address a host may have here: in the network, not its network or broadcast address, not the router. */
    boolean hostAddress(Inet4Address address) {
        return network.contains(address) && Ipv4.toInt(address) != network.base()
                && !address.equals(network.broadcast()) && router.filter(address::equals).isEmpty();
    }

    String name() {
        return iface.map(i -> "interface " + i).orElse("subnet " + network);
    }
}
