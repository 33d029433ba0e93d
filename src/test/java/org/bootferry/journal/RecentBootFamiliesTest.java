package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class RecentBootFamiliesTest {

    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
    private static final MacAddress OTHER = MacAddress.parse("52:54:00:12:34:57");

    private final AtomicLong now = new AtomicLong(1_000);
    private final RecentBootFamilies families = new RecentBootFamilies(now::get);

    @Test
    void aFirmwareAnsweredOverIpv6IsRememberedForItsMacOnly() {
        assertThat(families.firmwareCameOverIpv6(VM)).as("nothing answered yet").isFalse();

        families.firmwareAnswered(VM, true);

        assertThat(families.firmwareCameOverIpv6(VM)).isTrue();
        assertThat(families.firmwareCameOverIpv6(OTHER)).isFalse();
    }

    @Test
    void theFirmwaresNextAnswerOverIpv4ReplacesIt() {
        families.firmwareAnswered(VM, true);
        now.addAndGet(1_000_000_000L);

        families.firmwareAnswered(VM, false);

        assertThat(families.firmwareCameOverIpv6(VM)).isFalse();
    }

    @Test
    void anAnswerOlderThanRecentIsForgotten() {
        families.firmwareAnswered(VM, true);

        now.addAndGet(RecentBootFamilies.RECENT.toNanos());
        assertThat(families.firmwareCameOverIpv6(VM)).as("at the limit").isTrue();
        now.incrementAndGet();
        assertThat(families.firmwareCameOverIpv6(VM)).as("past it: the NIC's own iPXE of a later boot").isFalse();
    }
}
