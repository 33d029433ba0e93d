package org.bootferry.dhcp6;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.bootferry.lang.AddressText;
import org.bootferry.lang.Ipv6;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.MacAddress;

/**
 * DHCPv6 server mode's binding records and reservations as {@code /api/leases}, {@code bootferry
 * leases}, explain and the status page show them.
 */
public final class Bindings6 {

    private Bindings6() {
    }

    /**
     * Every record, with its state at {@code now}, its machine's name and its pool; and every {@code ip6:}
     * no record names yet, as {@link Addressing.State#RESERVED} (as DHCPv4 shows its {@code ip:}); in
     * address order.
     */
    public static List<Addressing.Binding6> of(Collection<Lease6> leases, List<AddressPool6> pools, Hosts6 hosts, long now) {
        Map<BigInteger, Addressing.Binding6> rows = new TreeMap<>();
        Map<Inet6Address, MacAddress> reservations = hosts.reservations();
        for (Lease6 l : leases) {
            Optional<MacAddress> reservedFor = hosts.reservedFor(l.address());
            Optional<MacAddress> mac = l.holder().flatMap(Lease6.Holder::mac).or(() -> reservedFor);
            Addressing.State state = !l.busy(now) ? Addressing.State.FREE
                    : l.holder().isPresent() ? Addressing.State.BOUND : Addressing.State.QUARANTINED;
            rows.put(Ipv6.toNumber(l.address()), new Addressing.Binding6(AddressText.of(l.address()), mac,
                    hostname(hosts, mac), state, l.expires(), reservedFor.isPresent(), poolOf(pools, l.address()),
                    l.holder().map(h -> BootOnly6.hex(h.duid())),
                    l.holder().map(h -> OptionalLong.of(h.iaid())).orElse(OptionalLong.empty())));
        }
        reservations.forEach((address, mac) -> rows.putIfAbsent(Ipv6.toNumber(address), new Addressing.Binding6(
                AddressText.of(address), Optional.of(mac), hostname(hosts, Optional.of(mac)), Addressing.State.RESERVED,
                0, true, poolOf(pools, address), Optional.empty(), OptionalLong.empty())));
        return List.copyOf(rows.values());
    }

    private static Optional<String> hostname(Hosts6 hosts, Optional<MacAddress> mac) {
        return mac.flatMap(hosts::host).flatMap(Hosts6.Host::hostname);
    }

    private static String poolOf(List<AddressPool6> pools, Inet6Address address) {
        return pools.stream().filter(p -> p.prefix().contains(address)).findFirst().map(AddressPool6::name)
                .orElse("none (the pool is gone from server.yaml)");
    }
}
