package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Session limits derived from what the process holds: its open files and its heap. */
class ProcessLimitsTest {

    @Test
    void theOpenFileLimitBoundsSessionsWhenTheHeapIsLarge() {
        assertThat(ProcessLimits.sessions(20_000, 6L << 30, 1024, 4 << 10)).isEqualTo(18_976);
    }

    @Test
    void aQuarterOfTheHeapBoundsSessionsWhenItIsSmall() {
        assertThat(ProcessLimits.sessions(65_536, 256L << 20, 1024, 4 << 10)).isEqualTo(16_384);
    }

    @Test
    void thereIsAlwaysOneAndNeverMoreThanAMillion() {
        assertThat(ProcessLimits.sessions(100, 6L << 30, 1024, 4 << 10)).isEqualTo(1);
        assertThat(ProcessLimits.sessions(1L << 30, 1L << 50, 1024, 4 << 10)).isEqualTo(1_000_000);
    }

    @Test
    void thisProcessHasAnOpenFileLimit() {
        assertThat(ProcessLimits.openFiles()).isPositive();
        assertThat(ProcessLimits.sessions()).isBetween(1, 1_000_000);
    }
}
