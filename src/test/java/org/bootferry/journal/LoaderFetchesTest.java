package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class LoaderFetchesTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:15:00:01");
    private static final InetAddress ON_LINK = address("10.215.0.101");
    private static final InetAddress BEHIND_A_ROUTER = address("10.216.0.7");

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoaderFetches fetches = new LoaderFetches(
            a -> Optional.ofNullable(Map.of(ON_LINK, VM).get(a)), now::get);

    @Test
    void aLoaderFetchedByMacCountsForAMinute() {
        fetches.fetched(VM, "undionly.kpxe");
        assertThat(fetches.fetchedRecently(VM, "undionly.kpxe")).isTrue();

        now.addAndGet(LoaderFetches.RECENT.toNanos());
        assertThat(fetches.fetchedRecently(VM, "undionly.kpxe")).isTrue();
        now.addAndGet(1);
        assertThat(fetches.fetchedRecently(VM, "undionly.kpxe")).as("a minute and a nanosecond later").isFalse();
    }

    @Test
    void aFetchByAddressIsTheNeighboursMac() {
        fetches.fetched(ON_LINK, "/ipxe.efi");
        assertThat(fetches.fetchedRecently(VM, "ipxe.efi")).as("TFTP names may start with '/'").isTrue();
    }

    @Test
    void aClientNoNeighbourTableKnowsLeavesNoRecord() {
        fetches.fetched(BEHIND_A_ROUTER, "ipxe.efi");
        assertThat(fetches.fetchedRecently(VM, "ipxe.efi")).isFalse();
    }

    @Test
    void onlyTheLoaderAskedAboutCounts() {
        fetches.fetched(VM, "ipxe.efi");
        fetches.fetched(VM, "grub/grub.cfg");
        assertThat(fetches.fetchedRecently(VM, "ipxe.efi")).as("the last fetch was another file").isFalse();
        assertThat(fetches.fetchedRecently(MacAddress.parse("52:54:00:15:00:02"), "grub/grub.cfg")).isFalse();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
