package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaTest {

    @Test
    void eachClientUpToItsLimitAndAllUpToTheTotal() {
        Quota<String> quota = new Quota<>();
        assertThat(quota.acquire("a", 2, 3)).isEmpty();
        assertThat(quota.acquire("a", 2, 3)).isEmpty();
        assertThat(quota.acquire("a", 2, 3)).isEqualTo(Optional.of(Quota.Limit.PER_CLIENT));
        assertThat(quota.acquire("b", 2, 3)).isEmpty();
        assertThat(quota.acquire("c", 2, 3)).isEqualTo(Optional.of(Quota.Limit.TOTAL));
        assertThat(quota.held()).isEqualTo(3);
        quota.release("a");
        assertThat(quota.acquire("c", 2, 3)).isEmpty();
        assertThat(quota.held()).isEqualTo(3);
        assertThat(quota.acquire("d", 2, 4)).as("limits as given with each call").isEmpty();
    }

    @Test
    void releasingWhatWasNotTakenIsAnError() {
        Quota<String> quota = new Quota<>();
        assertThatThrownBy(() -> quota.release("a")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a holds none to release");
    }
}
