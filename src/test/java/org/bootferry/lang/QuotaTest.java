package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaTest {

    @Test
    void eachClientUpToItsLimitAndAllUpToTheTotal() {
        Quota<String> quota = new Quota<>(2, 3);
        assertThat(quota.acquire("a")).isEmpty();
        assertThat(quota.acquire("a")).isEmpty();
        assertThat(quota.acquire("a")).isEqualTo(Optional.of(Quota.Limit.PER_CLIENT));
        assertThat(quota.acquire("b")).isEmpty();
        assertThat(quota.acquire("c")).isEqualTo(Optional.of(Quota.Limit.TOTAL));
        assertThat(quota.held()).isEqualTo(3);
        quota.release("a");
        assertThat(quota.acquire("c")).isEmpty();
        assertThat(quota.held()).isEqualTo(3);
    }

    @Test
    void releasingWhatWasNotTakenIsAnError() {
        Quota<String> quota = new Quota<>(1, 1);
        assertThatThrownBy(() -> quota.release("a")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a holds none to release");
    }
}
