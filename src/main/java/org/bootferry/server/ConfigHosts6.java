package org.bootferry.server;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineFile;
import org.bootferry.dhcp6.Hosts6;
import org.bootferry.lang.Ipv6;
import org.bootferry.machine.MacAddress;

/**
 * DHCPv6 server mode's view of the machines in the config in force: each reload's {@code ip6:}
 * reservations, indexed by address once per snapshot, since allocation asks about many addresses.
 */
final class ConfigHosts6 implements Hosts6 {

    private final Supplier<ConfigSnapshot> config;
    private final PerSnapshot<Map<String, MacAddress>> reservations;

    ConfigHosts6(Supplier<ConfigSnapshot> config) {
        this.config = config;
        this.reservations = new PerSnapshot<>(config, ConfigHosts6::index);
    }

    @Override
    public Optional<Host> host(MacAddress mac) {
        return config.get().machine(mac).map(f -> new Host(reservation(f), Optional.ofNullable(f.config().hostname())));
    }

    @Override
    public Optional<MacAddress> reservedFor(Inet6Address address) {
        return Optional.ofNullable(reservations.get().get(Ipv6.toNumber(address).toString(16)));
    }

    @Override
    public Map<Inet6Address, MacAddress> reservations() {
        Map<Inet6Address, MacAddress> all = new HashMap<>();
        reservations.get().forEach((hex, mac) -> all.put(Ipv6.of(new BigInteger(hex, 16)), mac));
        return all;
    }

    private static Map<String, MacAddress> index(ConfigSnapshot snapshot) {
        Map<String, MacAddress> reservations = new HashMap<>();
        for (MachineFile f : snapshot.machines().values()) {
            reservation(f).ifPresent(ip -> reservations.putIfAbsent(Ipv6.toNumber(ip).toString(16), f.mac().orElseThrow()));
        }
        return Map.copyOf(reservations);
    }

    /** A machine's own {@code ip6:}; default.yaml reserves nothing (validate says so). */
    private static Optional<Inet6Address> reservation(MachineFile f) {
        return f.mac().isEmpty() ? Optional.empty() : Optional.ofNullable(f.config().ip6()).flatMap(Ipv6::parse);
    }
}
