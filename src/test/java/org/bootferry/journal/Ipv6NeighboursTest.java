package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    /** {@code ip -6 neigh show to fd42::18b dev vA}: the device is left out when named (older bootferry ran this). */
    private static final String ONE = "fd42::18b lladdr 52:54:00:12:34:56 DELAY \n";
    /** {@code ip -6 neigh show to fd42::77 dev vA} while the kernel still asks. */
    private static final String INCOMPLETE = "fd42::77 INCOMPLETE \n";

    @Test
    void anEntryWithALinkLayerAddressGivesItsMac() throws Exception {
        assertThat(mac(TABLE, v6("fd42::18b"))).contains(CLIENT);
        assertThat(mac(TABLE, v6("fe80::5054:ff:fe12:3456"))).contains(CLIENT);
        assertThat(mac(ONE, v6("fd42:0:0::18b"))).contains(CLIENT);
        assertThat(mac("fd42::18b lladdr 52:54:00:12:34:56 router STALE\n", v6("fd42::18b")))
                .contains(CLIENT);
    }

    @Test
    void anEntryStillResolvingFailedOrAbsentGivesNothing() throws Exception {
        assertThat(mac(TABLE, v6("fd42::77"))).isEmpty();
        assertThat(mac(INCOMPLETE, v6("fd42::77"))).isEmpty();
        assertThat(mac(TABLE, v6("fd42::99"))).isEmpty();
        assertThat(mac("", v6("fd42::18b"))).isEmpty();
    }

    @Test
    void aScopedAddressIsFoundOnlyOnItsInterface() throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        Inet6Address onLo = Inet6Address.getByAddress(null, v6("fd42::18b").getAddress(), lo);
        assertThat(mac(TABLE, onLo)).as("the entry is vA's").isEmpty();
        assertThat(mac(TABLE.replace("dev vA", "dev lo"), onLo)).contains(CLIENT);
    }

    @Test
    void oneDumpAtMostOnceASecondAnswersEveryAddressAndAnswersAreCachedBriefly() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        AtomicLong now = new AtomicLong();
        Ipv6Neighbours table = new Ipv6Neighbours(args -> {
            runs.add(args);
            return TABLE;
        }, now::get);

        assertThat(table.lookup(v6("fd42::18b"))).contains(CLIENT);
        assertThat(table.lookup(v6("fd42::77"))).isEmpty();
        assertThat(table.lookup(v6("fd42::99"))).isEmpty();
        assertThat(runs).containsExactly(Ipv6Neighbours.DUMP);

        now.addAndGet(Ipv6Neighbours.DUMP_EVERY);
        assertThat(table.lookup(v6("fd42::18b"))).as("known: cached").contains(CLIENT);
        assertThat(table.lookup(v6("fd42::77"))).as("unknown: asked again, from a new dump").isEmpty();
        assertThat(table.lookup(v6("fd42::99"))).isEmpty();
        assertThat(runs).hasSize(2);

        now.addAndGet(Ipv6Neighbours.KNOWN_FOR);
        assertThat(table.lookup(v6("fd42::18b"))).contains(CLIENT);
        assertThat(runs).hasSize(3);
    }

    @Test
    void lookupsArrivingWhileTheTableIsReadShareThatRead() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Ipv6Neighbours table = new Ipv6Neighbours(args -> {
            runs.incrementAndGet();
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            return TABLE + "fd42::2 dev vA lladdr 52:54:00:00:00:02 STALE\n";
        }, System::nanoTime);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            Future<Optional<MacAddress>> first = clients.submit(() -> table.lookup(v6("fd42::18b")));
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Optional<MacAddress>>> others = List.of(
                    clients.submit(() -> table.lookup(v6("fd42::2"))),
                    clients.submit(() -> table.lookup(v6("fd42::77"))),
                    clients.submit(() -> table.lookup(v6("fd42::18b"))));
            Thread.sleep(200); // let them reach the read in flight; one that comes later finds it fresh anyway
            release.countDown();

            assertThat(first.get(10, TimeUnit.SECONDS)).contains(CLIENT);
            assertThat(others.get(0).get(10, TimeUnit.SECONDS)).contains(MacAddress.parse("52:54:00:00:00:02"));
            assertThat(others.get(1).get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(others.get(2).get(10, TimeUnit.SECONDS)).contains(CLIENT);
            assertThat(runs).hasValue(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aLinkLocalAddressWithoutItsInterfaceIsNotAskedAndAFailingReadKnowsNothingForASecond() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        AtomicLong now = new AtomicLong();
        Ipv6Neighbours failing = new Ipv6Neighbours(args -> {
            runs.add(args);
            throw new IOException("exit 1: Cannot find device \"nosuch\"");
        }, now::get);
        assertThat(failing.lookup(v6("fe80::5054:ff:fe12:3456"))).isEmpty();
        assertThat(runs).isEmpty();
        assertThat(failing.lookup(v6("fd42::18b"))).isEmpty();
        assertThat(failing.lookup(v6("fd42::2"))).isEmpty();
        assertThat(runs).hasSize(1);
        now.addAndGet(Ipv6Neighbours.DUMP_EVERY);
        assertThat(failing.lookup(v6("fd42::3"))).isEmpty();
        assertThat(runs).hasSize(2);
    }

    @Test
    void thisHostsOwnTableIsReadable() throws Exception {
        // Whatever it holds, running ip must work; a documentation address is never in it.
        assertThat(Ipv6Neighbours.ofThisHost().lookup(v6("2001:db8::fe"))).isEmpty();
        assertThat(NeighbourTable.lookup(v6("2001:db8::fe"))).isEmpty();
    }

    /** What the parsed table {@code ipOutput} says of {@code address}. */
    private static Optional<MacAddress> mac(String ipOutput, Inet6Address address) {
        return Ipv6Neighbours.find(Ipv6Neighbours.entries(ipOutput), address);
    }

    private static Inet6Address v6(String literal) throws Exception {
        return (Inet6Address) InetAddress.getByName(literal);
    }
}
