package org.bootferry.server;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineFile;
import org.bootferry.dhcp.Hosts;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.MacAddress;

/**
 * DHCP server mode's view of the machines in the config in force: each reload's reservations,
 * indexed by address once per snapshot, since allocation asks about every address of a range.
 */
final class ConfigHosts implements Hosts {

    private final Supplier<ConfigSnapshot> config;
    private final PerSnapshot<Map<Inet4Address, MacAddress>> reservations;

    ConfigHosts(Supplier<ConfigSnapshot> config) {
        this.config = config;
        this.reservations = new PerSnapshot<>(config, ConfigHosts::index);
    }

    @Override
    public Optional<Host> host(MacAddress mac) {
        return config.get().machine(mac).map(f -> new Host(reservation(f), Optional.ofNullable(f.config().hostname())));
    }

    @Override
    public Map<Inet4Address, MacAddress> reservations() {
        return reservations.get();
    }

    private static Map<Inet4Address, MacAddress> index(ConfigSnapshot snapshot) {
        Map<Inet4Address, MacAddress> reservations = new HashMap<>();
        for (MachineFile f : snapshot.machines().values()) {
            reservation(f).ifPresent(ip -> reservations.putIfAbsent(ip, f.mac().orElseThrow()));
        }
        return Map.copyOf(reservations);
    }

    /** A machine's own {@code ip:}; default.yaml reserves nothing (validate says so). */
    private static Optional<Inet4Address> reservation(MachineFile f) {
        return f.mac().isEmpty() ? Optional.empty() : Optional.ofNullable(f.config().ip()).flatMap(Ipv4::parse);
    }
}
