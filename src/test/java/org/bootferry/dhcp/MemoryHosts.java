package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/** The machines of a config, in memory: the {@link Hosts} a test gives server mode (the server wires one over the config). */
final class MemoryHosts implements Hosts {

    private final Map<MacAddress, Host> machines = new HashMap<>();

    void put(MacAddress mac, Host host) {
        machines.put(mac, host);
    }

    @Override
    public Optional<Host> host(MacAddress mac) {
        return Optional.ofNullable(machines.get(mac));
    }

    @Override
    public Map<Inet4Address, MacAddress> reservations() {
        Map<Inet4Address, MacAddress> reserved = new HashMap<>();
        machines.forEach((mac, host) -> host.reserved().ifPresent(ip -> reserved.put(ip, mac)));
        return reserved;
    }
}
