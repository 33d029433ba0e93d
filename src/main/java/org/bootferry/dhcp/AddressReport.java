package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.MacAddress;

/**
 * Server mode's addresses as an admin reads them (the API, the status page, {@code bootferry leases}
 * and {@code explain}): the lease records with their machines' names and the reservations, and what
 * each pool would offer a machine, asked of {@link LeaseBook#choose} itself, so that the answer is the
 * one a DISCOVER would get. Not thread-safe: {@link ServerDhcp} holds its lock around every call.
 */
final class AddressReport {

    private AddressReport() {
    }

    /** Every record that names a machine or keeps an address from everyone, and every reservation. */
    static List<Addressing.Address> addresses(List<AddressPool> pools, Hosts hosts, Collection<Lease> leases, long now) {
        Map<Integer, Addressing.Address> rows = new TreeMap<>(Integer::compareUnsigned);
        Map<Inet4Address, MacAddress> reservations = hosts.reservations();
        for (Lease lease : leases) {
            Optional<MacAddress> reservedFor = Optional.ofNullable(reservations.get(lease.address()));
            if (lease.holder().isEmpty() && !lease.busy(now) && reservedFor.isEmpty()) {
                continue; // an address freed when its holder moved: nothing to show
            }
            Addressing.State state = !lease.busy(now) ? Addressing.State.FREE
                    : lease.holder().isPresent() ? Addressing.State.BOUND : Addressing.State.QUARANTINED;
            Optional<MacAddress> mac = lease.holder().or(() -> reservedFor);
            rows.put(Ipv4.toInt(lease.address()), new Addressing.Address(lease.address(), mac, hostname(hosts, mac),
                    state, lease.expires(), reservedFor.isPresent(), poolOf(pools, lease.address())));
        }
        reservations.forEach((address, mac) -> rows.putIfAbsent(Ipv4.toInt(address), new Addressing.Address(address,
                Optional.of(mac), hostname(hosts, Optional.of(mac)), Addressing.State.RESERVED, 0, true,
                poolOf(pools, address))));
        return List.copyOf(rows.values());
    }

    /**
     * Per pool, what a DISCOVER from the machine would be offered there. The listener also never
     * offers the address of its own interface; which that is, only the running listener knows.
     */
    static List<Addressing.Choice> choices(MacAddress mac, List<AddressPool> pools, Hosts hosts, LeaseBook book,
                                          long now) {
        Optional<Hosts.Host> host = hosts.host(mac);
        Optional<Inet4Address> reserved = host.flatMap(Hosts.Host::reserved);
        Predicate<Inet4Address> reservedForOther = a -> hosts.reservedFor(a).filter(o -> !o.equals(mac)).isPresent();
        List<Addressing.Choice> choices = new ArrayList<>();
        for (AddressPool pool : pools) {
            if (host.isEmpty() && !pool.unknownMachines()) {
                choices.add(new Addressing.Choice(pool.name(), Optional.empty(), "none: it has no machine file (and"
                        + " there is no default.yaml), and this pool gives unknown machines nothing (unknownMachines: false)"));
                continue;
            }
            Optional<LeaseBook.Choice> choice = book.choose(mac, pool, reserved, Optional.empty(), reservedForOther, now);
            if (choice.isEmpty()) {
                choices.add(new Addressing.Choice(pool.name(), Optional.empty(), "none: every address of the range "
                        + range(pool) + " is leased, offered, quarantined or reserved for another machine"));
                continue;
            }
            Inet4Address address = choice.get().address();
            StringBuilder how = new StringBuilder();
            if (reserved.filter(address::equals).isPresent()) {
                how.append("its reservation (ip: in its machine file)");
            } else {
                reserved.filter(pool.network()::contains).ifPresent(r -> how.append("its reservation ")
                        .append(r.getHostAddress()).append(" is ").append(book.lease(r).map(l -> l.holder()
                                .map(h -> "held by " + h).orElse("quarantined") + " until " + time(l.expires()))
                                .orElse("not a host address here")).append("; meanwhile "));
                Optional<Lease> own = book.leaseOf(mac).filter(l -> l.address().equals(address));
                how.append(own.map(l -> l.busy(now) ? "its lease, until " + time(l.expires())
                        : "the address it held last (its lease ended " + time(l.expires()) + ")")
                        .orElse("a free address of the range " + range(pool)));
            }
            if (host.isEmpty()) {
                how.append("; an unknown machine: an address, never a boot answer");
            }
            choices.add(new Addressing.Choice(pool.name(), Optional.of(address), how.toString()));
        }
        return choices;
    }

    private static Optional<String> hostname(Hosts hosts, Optional<MacAddress> mac) {
        return mac.flatMap(hosts::host).flatMap(Hosts.Host::hostname);
    }

    private static String poolOf(List<AddressPool> pools, Inet4Address address) {
        return pools.stream().filter(p -> p.network().contains(address)).min(Comparator.comparing(p -> !p.inRange(address)))
                .map(AddressPool::name).orElse("no pool (its pool is no longer in server.yaml)");
    }

    private static String range(AddressPool pool) {
        return pool.first().getHostAddress() + "-" + pool.last().getHostAddress();
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
