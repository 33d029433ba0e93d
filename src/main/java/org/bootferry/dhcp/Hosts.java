package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/** What server mode needs to know of the machines in the config in force: who is known, who has which address reserved. */
public interface Hosts {

    /** The machine with this MAC; empty when the config has no file for it and no {@code default.yaml}. */
    Optional<Host> host(MacAddress mac);

    /** The machine whose file reserves this address, if any. */
    Optional<MacAddress> reservedFor(Inet4Address address);

    /**
     * @param reserved its machine file's {@code ip:}
     * @param hostname its machine file's {@code hostname:}, sent as option 12
     */
    record Host(Optional<Inet4Address> reserved, Optional<String> hostname) {
    }
}
