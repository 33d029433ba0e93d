package org.bootferry.dhcp6;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;
import org.bootferry.lang.Ipv6;

/**
 * One pool of DHCPv6 server mode, as the listener serves it.
 *
 * @param iface             the interface whose link it serves; empty for a link behind relay agents,
 *                          whose clients' RELAY-FORW carries a link-address in {@code prefix}
 * @param prefix            the link's prefix: addresses in it are on-link (RFC 8415 §18.3.3)
 * @param first             first address of the dynamic range
 * @param last              last address of the dynamic range
 * @param preferredLifetime seconds (RFC 8415 §21.6); T1 and T2 are 0.5 and 0.8 of it (§21.4)
 * @param validLifetime     seconds: how long a binding lasts
 * @param dns               option 23
 * @param search            option 24
 * @param unknownMachines   MACs without a machine file get an address, never a boot answer
 */
public record AddressPool6(Optional<String> iface, Ipv6.Network prefix, Inet6Address first, Inet6Address last,
        long preferredLifetime, long validLifetime, List<Inet6Address> dns, List<String> search,
        boolean unknownMachines) {

    public AddressPool6 {
        dns = List.copyOf(dns);
        search = List.copyOf(search);
        if (!prefix.contains(first) || !prefix.contains(last)
                || Ipv6.toNumber(first).compareTo(Ipv6.toNumber(last)) > 0) {
            throw new IllegalArgumentException("range " + first.getHostAddress() + "-" + last.getHostAddress()
                    + " is not a range inside " + prefix);
        }
        if (preferredLifetime < 0 || validLifetime < preferredLifetime || validLifetime >= 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("lifetimes must be 0 <= preferred (" + preferredLifetime
                    + ") <= valid (" + validLifetime + ") < 2^32-1 (RFC 8415 §7.7: that is infinity)");
        }
    }

    /** How the API, the status page and the log name it: {@code interface br0}, {@code prefix fd43::/64}. */
    String name() {
        return iface.map(i -> "interface " + i).orElse("prefix " + prefix);
    }

    boolean inRange(Inet6Address address) {
        BigInteger a = Ipv6.toNumber(address);
        return a.compareTo(Ipv6.toNumber(first)) >= 0 && a.compareTo(Ipv6.toNumber(last)) <= 0;
    }

    /** On this pool's link, and not its Subnet-Router anycast address (RFC 4291 §2.6.1). */
    boolean onLink(Inet6Address address) {
        return prefix.contains(address) && !Ipv6.toNumber(address).equals(Ipv6.toNumber(prefix.base()));
    }
}
