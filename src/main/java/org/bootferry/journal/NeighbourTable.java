package org.bootferry.journal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * The MAC behind an address on one of this host's links. IPv6 addresses are {@link Ipv6Neighbours}'
 * job; IPv4 ones are read from the kernel's ARP table
 * ({@code /proc/net/arp}, of the network namespace this process runs in). TFTP and HTTP see only a
 * client's address; a client on the link has just asked for ours by ARP before sending, and Linux keeps
 * the asker's MAC (arp(7)), so the entry is there when its request arrives. Clients behind a router
 * are not in the table: their MAC is unknown here.
 */
public final class NeighbourTable {

    private static final Path PROC_NET_ARP = Path.of("/proc/net/arp");
    /** ATF_COM (linux/if_arp.h): the entry is complete, its hardware address known. */
    private static final int COMPLETE = 0x2;
    private static final Ipv6Neighbours IPV6 = Ipv6Neighbours.ofThisHost();

    private NeighbourTable() {
    }

    /**
     * The MAC of {@code address} as this host's ARP or IPv6 neighbour table has it now; empty when
     * absent or unreadable. Blocks up to five seconds for an IPv6 address (a command runs): only on a
     * thread of its own, never an event loop.
     */
    public static Optional<MacAddress> lookup(InetAddress address) {
        return address instanceof Inet6Address v6 ? IPV6.lookup(v6) : arp(address);
    }

    /**
     * The MAC of an IPv4 {@code address} as the ARP table has it now; empty for an IPv6 one, when
     * absent or unreadable. A file read: for callers that may be on an event loop.
     */
    public static Optional<MacAddress> arp(InetAddress address) {
        try {
            return lookup(Files.readString(PROC_NET_ARP), address);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Looks {@code address} up in the text of {@code /proc/net/arp}: a header line, then one line
     * per entry: {@code IP HW-type Flags HW-address Mask Device}, flags and type in hex.
     */
    static Optional<MacAddress> lookup(String procNetArp, InetAddress address) {
        String ip = address.getHostAddress();
        for (String line : procNetArp.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].equals(ip) || !MacAddress.isMac(f[3])) {
                continue;
            }
            try {
                if ((Integer.decode(f[2]) & COMPLETE) != 0) {
                    return Optional.of(MacAddress.parse(f[3]));
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
