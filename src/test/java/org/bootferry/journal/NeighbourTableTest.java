package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class NeighbourTableTest {

    /** /proc/net/arp as Linux 6.1 writes it: one complete entry, one still being resolved. */
    private static final String PROC_NET_ARP = """
            IP address       HW type     Flags       HW address            Mask     Device
            10.215.0.101     0x1         0x2         52:54:00:15:00:01     *        bfhbr0
            10.215.0.102     0x1         0x0         00:00:00:00:00:00     *        bfhbr0
            """;

    @Test
    void aCompleteEntryGivesTheMac() throws Exception {
        assertThat(NeighbourTable.lookup(PROC_NET_ARP, InetAddress.getByName("10.215.0.101")))
                .contains(MacAddress.parse("52:54:00:15:00:01"));
    }

    @Test
    void anIncompleteOrMissingEntryGivesNothing() throws Exception {
        assertThat(NeighbourTable.lookup(PROC_NET_ARP, InetAddress.getByName("10.215.0.102"))).isEmpty();
        assertThat(NeighbourTable.lookup(PROC_NET_ARP, InetAddress.getByName("10.215.0.1"))).isEmpty();
        assertThat(NeighbourTable.lookup("", InetAddress.getByName("10.215.0.101"))).isEmpty();
    }

    @Test
    void thisHostsOwnTableIsReadable() throws Exception {
        // Whatever it holds, reading the live table must not fail; an address never in it gives nothing.
        assertThat(NeighbourTable.lookup(InetAddress.getByName("198.51.100.254"))).isEmpty();
        assertThat(NeighbourTable.arp(InetAddress.getByName("198.51.100.254"))).isEmpty();
        assertThat(NeighbourTable.arp(InetAddress.getByName("2001:db8::fe"))).as("IPv6 is not in the ARP table").isEmpty();
    }
}
