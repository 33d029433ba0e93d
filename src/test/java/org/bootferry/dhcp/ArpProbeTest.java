package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

/** The probe reads the neighbour table (here a stand-in on loopback, the only address it may send to). */
class ArpProbeTest {

    private static final MacAddress CLIENT = MacAddress.parse("52:54:00:15:00:01");
    private static final MacAddress STRANGER = MacAddress.parse("52:54:00:99:00:01");

    @Test
    void anAddressTheNeighbourTableHasUnderAnotherMacIsInUse() throws Exception {
        assertThat(probe(STRANGER)).isTrue();
    }

    /** The client's firmware used its address moments ago; its own entry is no conflict. */
    @Test
    void anAddressTheNeighbourTableHasUnderTheClientsOwnMacIsFree() throws Exception {
        assertThat(probe(CLIENT)).isFalse();
    }

    @Test
    void anAddressTheNeighbourTableLacksIsFree() throws Exception {
        try (ArpProbe probe = new ArpProbe(a -> Optional.empty())) {
            assertThat(probe.inUse(loopback(), CLIENT).get(5, TimeUnit.SECONDS)).isFalse();
        }
    }

    private static boolean probe(MacAddress holder) throws Exception {
        try (ArpProbe probe = new ArpProbe(a -> Optional.of(holder))) {
            return probe.inUse(loopback(), CLIENT).get(5, TimeUnit.SECONDS);
        }
    }

    private static Inet4Address loopback() throws Exception {
        return (Inet4Address) InetAddress.getByName("127.0.0.2");
    }
}
