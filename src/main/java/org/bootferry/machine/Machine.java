package org.bootferry.machine;

import java.net.InetAddress;
import java.util.Optional;


/**
 * A machine as one boot stage sees it: who it is and what is asking on its behalf.
 *
 * @param mac      the NIC's address, the key of everything
 * @param firmware the firmware kind the request came from
 * @param ipxe     true when the request came from iPXE (DHCP option 77 "iPXE"): give it the script,
 *                 not another loader, which is what breaks the chainload loop
 * @param server   the address of ours the request arrived at, used as next-server and in URLs; empty
 *                 means the configured advertise address. A DHCPv6 request names the advertise6
 *                 address here, so that its plan's URLs are IPv6 ones; an IPv6 link-local address,
 *                 which no URL can carry without the client's zone, stands for advertise6 too
 */
public record Machine(MacAddress mac, Firmware firmware, boolean ipxe, Optional<InetAddress> server) {

    public static Machine of(MacAddress mac, Firmware firmware) {
        return new Machine(mac, firmware, false, Optional.empty());
    }
}
