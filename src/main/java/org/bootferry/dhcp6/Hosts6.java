package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.Map;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/** What DHCPv6 server mode needs of the machines in the config in force: who is known, who has which {@code ip6:}. */
public interface Hosts6 {

    /** The machine with this MAC; empty when the config has no file for it and no {@code default.yaml}. */
    Optional<Host> host(MacAddress mac);

    /** The machine whose file reserves this address ({@code ip6:}), if any. */
    Optional<MacAddress> reservedFor(Inet6Address address);

    /** Every {@code ip6:} of the machine files, with its machine. */
    Map<Inet6Address, MacAddress> reservations();

    /**
     * @param reserved its machine file's {@code ip6:}
     * @param hostname its machine file's {@code hostname:}, for the status page
     */
    record Host(Optional<Inet6Address> reserved, Optional<String> hostname) {
    }
}
