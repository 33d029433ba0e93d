package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class Ipv6NeighboursTest {

    private static final MacAddress CLIENT = MacAddress.parse("52:54:00:12:34:56");

    /**
     * {@code ip -6 neigh show} (iproute2 6.1) in a namespace after a client at fd42::18b sent us a
     * UDP datagram (its Neighbor Solicitation left a STALE entry, now in DELAY), after we sent to its
     * EUI-64 link-local address, and after we sent to fd42::77, which nobody holds.
     */
    private static final String TABLE = """
            fd42::18b dev vA lladdr 52:54:00:12:34:56 DELAY\s
            fe80::5054:ff:fe12:3456 dev vA lladdr 52:54:00:12:34:56 REACHABLE\s
            fd42::77 dev vA FAILED\s
            """;
    /** {@code ip -6 neigh show to fd42::18b dev vA}: the device is left out when named. */
    private static final String ONE = "fd42::18b lladdr 52:54:00:12:34:56 DELAY \n";
    /** {@code ip -6 neigh show to fd42::77 dev vA} while the kernel still asks. */
    private static final String INCOMPLETE = "fd42::77 INCOMPLETE \n";

    @Test
    void anEntryWithALinkLayerAddressGivesItsMac() throws Exception {
        assertThat(Ipv6Neighbours.parse(TABLE, v6("fd42::18b"))).contains(CLIENT);
        assertThat(Ipv6Neighbours.parse(TABLE, v6("fe80::5054:ff:fe12:3456"))).contains(CLIENT);
        assertThat(Ipv6Neighbours.parse(ONE, v6("fd42:0:0::18b"))).contains(CLIENT);
        assertThat(Ipv6Neighbours.parse("fd42::18b lladdr 52:54:00:12:34:56 router STALE\n", v6("fd42::18b")))
                .contains(CLIENT);
    }

    @Test
    void anEntryStillResolvingFailedOrAbsentGivesNothing() throws Exception {
        assertThat(Ipv6Neighbours.parse(TABLE, v6("fd42::77"))).isEmpty();
        assertThat(Ipv6Neighbours.parse(INCOMPLETE, v6("fd42::77"))).isEmpty();
        assertThat(Ipv6Neighbours.parse(TABLE, v6("fd42::99"))).isEmpty();
        assertThat(Ipv6Neighbours.parse("", v6("fd42::18b"))).isEmpty();
    }

    @Test
    void theInterfaceOfAScopedAddressIsAskedAndAnswersAreCachedBriefly() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        AtomicLong now = new AtomicLong();
        Ipv6Neighbours table = new Ipv6Neighbours(args -> {
            runs.add(args);
            return args.contains("fd42::77") ? INCOMPLETE : ONE;
        }, now::get);
        NetworkInterface lo = NetworkInterface.getByName("lo");
        Inet6Address scoped = Inet6Address.getByAddress(null, v6("fd42::18b").getAddress(), lo);

        assertThat(table.lookup(scoped)).contains(CLIENT);
        assertThat(runs).containsExactly(List.of("-6", "neigh", "show", "to", "fd42:0:0:0:0:0:0:18b", "dev", "lo"));
        now.addAndGet(Ipv6Neighbours.KNOWN_FOR - 1);
        assertThat(table.lookup(scoped)).contains(CLIENT);
        assertThat(runs).hasSize(1);
        now.addAndGet(1);
        assertThat(table.lookup(scoped)).contains(CLIENT);
        assertThat(runs).hasSize(2);

        assertThat(table.lookup(v6("fd42::77"))).isEmpty();
        assertThat(table.lookup(v6("fd42::77"))).isEmpty();
        assertThat(runs).hasSize(3);
        now.addAndGet(Ipv6Neighbours.UNKNOWN_FOR);
        assertThat(table.lookup(v6("fd42::77"))).isEmpty();
        assertThat(runs).hasSize(4).last().isEqualTo(List.of("-6", "neigh", "show", "to", "fd42:0:0:0:0:0:0:77"));
    }

    @Test
    void aLinkLocalAddressWithoutItsInterfaceIsNotAskedAndAFailingCommandKnowsNothing() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        Ipv6Neighbours failing = new Ipv6Neighbours(args -> {
            runs.add(args);
            throw new IOException("exit 1: Cannot find device \"nosuch\"");
        }, System::nanoTime);
        assertThat(failing.lookup(v6("fe80::5054:ff:fe12:3456"))).isEmpty();
        assertThat(runs).isEmpty();
        assertThat(failing.lookup(v6("fd42::18b"))).isEmpty();
        assertThat(runs).hasSize(1);
    }

    @Test
    void thisHostsOwnTableIsReadable() throws Exception {
        // Whatever it holds, running ip must work; a documentation address is never in it.
        assertThat(Ipv6Neighbours.ofThisHost().lookup(v6("2001:db8::fe"))).isEmpty();
        assertThat(NeighbourTable.lookup(v6("2001:db8::fe"))).isEmpty();
    }

    private static Inet6Address v6(String literal) throws Exception {
        return (Inet6Address) InetAddress.getByName(literal);
    }
}
