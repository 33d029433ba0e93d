package org.bootferry.machine;

import java.net.InetAddress;

/**
 * Which machine fetched which first-stage loader moments ago: told by TFTP and by HTTP, asked by the
 * planner. With {@code chainload: {ipxe: server}} an iPXE asking for its boot is either the NIC's own
 * (send it our loader) or the build it just fetched (send it the script): the same DHCP options, so
 * only this memory tells them apart.
 */
public interface LoaderFetchLog {

    /** {@code mac} is fetching loader {@code name} (as requested: a leading '/' is ignored). */
    void fetched(MacAddress mac, String name);

    /** A fetch by address: recorded when the address is a neighbour whose MAC is known, else dropped. */
    void fetched(InetAddress client, String name);

    /** True when {@code mac}'s last fetch was loader {@code name}, moments ago. */
    boolean fetchedRecently(MacAddress mac, String name);
}
