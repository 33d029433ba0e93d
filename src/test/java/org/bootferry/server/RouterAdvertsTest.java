package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the kernel learnt from Router Advertisements, read from a /proc laid out as Linux 6.1's. */
class RouterAdvertsTest {

    /**
     * /proc/net/ipv6_route of a host on br0 that accepts RAs: the RA's prefix fd42::/64 (flags
     * 0x004c0001: UP, ADDRCONF, PREFIX_RT, EXPIRES) and default router (0x00450003: UP, GATEWAY,
     * DEFAULT, ADDRCONF, EXPIRES; linux/ipv6_route.h, include/net/ip6_route.h), its link-local route,
     * and eth0's static routes (0x00000001, 0x00000003: no RTF_ADDRCONF).
     */
    private static final String ROUTES = """
            fd420000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 004c0001      br0
            fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      br0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe8000000000000000000000000000fe 00000400 00000001 00000000 00450003      br0
            fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
            """;

    @TempDir
    Path proc;

    @Test
    void routesTheKernelMadeFromAnRaAreCountedPerInterface() {
        assertThat(RouterAdverts.raRoutes(ROUTES, "br0")).isEqualTo(2);
        assertThat(RouterAdverts.raRoutes(ROUTES, "eth0")).isZero();
        assertThat(RouterAdverts.raRoutes(ROUTES, "br1")).isZero();
    }

    @Test
    void aLinkWithoutRaRoutesOrRadvdIsReportedWithWhatWasLookedAt() throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/ipv6_route"), ROUTES);
        Files.createDirectories(proc.resolve("412"));
        Files.writeString(proc.resolve("412/comm"), "dnsmasq\n");
        RouterAdverts adverts = new RouterAdverts(proc, System::nanoTime);

        assertThat(adverts.missing("br0")).isEmpty();
        assertThat(adverts.missing("eth0")).hasValueSatisfying(why -> assertThat(why).contains(
                "DHCPv6 boot clients on eth0 but no Router Advertisement seen", "no route on eth0 came from an RA",
                "no radvd runs on this host", "M=1"));

        Files.createDirectories(proc.resolve("977"));
        Files.writeString(proc.resolve("977/comm"), "radvd\n");
        assertThat(adverts.missing("eth0")).isEmpty();
    }
}
