package org.bootferry.dhcp6;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.bootferry.lang.AddressText;
import org.bootferry.lang.Ipv6;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.MacAddress;

/** DHCPv6 server mode's binding records as {@code /api/leases}, explain and the status page show them. */
final class Bindings6 {

    private Bindings6() {
    }

    /** Every record, in address order, with its state at {@code now}, its machine's name and its pool. */
    static List<Addressing.Binding6> of(Collection<Lease6> leases, List<AddressPool6> pools, Hosts6 hosts, long now) {
        return leases.stream().sorted(Comparator.comparing(l -> Ipv6.toNumber(l.address()))).map(l -> {
            Optional<MacAddress> mac = l.holder().flatMap(Lease6.Holder::mac);
            Addressing.State state = !l.busy(now) ? Addressing.State.FREE
                    : l.holder().isPresent() ? Addressing.State.BOUND : Addressing.State.QUARANTINED;
            String pool = pools.stream().filter(p -> p.prefix().contains(l.address())).findFirst()
                    .map(AddressPool6::name).orElse("none (the pool is gone from server.yaml)");
            return new Addressing.Binding6(AddressText.of(l.address()), mac,
                    mac.flatMap(hosts::host).flatMap(Hosts6.Host::hostname), state, l.expires(),
                    hosts.reservedFor(l.address()).isPresent(), pool, l.holder().map(h -> BootOnly6.hex(h.duid())),
                    l.holder().map(h -> OptionalLong.of(h.iaid())).orElse(OptionalLong.empty()));
        }).toList();
    }
}
