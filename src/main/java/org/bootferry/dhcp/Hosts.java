package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.Map;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/** What server mode needs to know of the machines in the config in force: who is known, who has which address reserved. */
public interface Hosts {

    /** The machine with this MAC; empty when the config has no file for it and no {@code default.yaml}. */
    Optional<Host> host(MacAddress mac);

    /** Every reservation: the address and the machine whose file reserves it. */
    Map<Inet4Address, MacAddress> reservations();

    /** The machine whose file reserves this address, if any. */
    default Optional<MacAddress> reservedFor(Inet4Address address) {
        return Optional.ofNullable(reservations().get(address));
    }

    /**
     * @param reserved its machine file's {@code ip:}
     * @param hostname its machine file's {@code hostname:}, sent as option 12
     */
    record Host(Optional<Inet4Address> reserved, Optional<String> hostname) {
    }
}
