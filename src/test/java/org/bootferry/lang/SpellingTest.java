package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpellingTest {

    static final List<String> POLICIES = List.of("Always", "IfNotPresent", "Never");

    @Test
    void aNearMissSuggestsTheKnownWord() {
        assertThat(Spelling.closest("ifnotpresent", POLICIES)).contains("IfNotPresent");
        assertThat(Spelling.closest("IfNotPresnt", POLICIES)).contains("IfNotPresent");
        assertThat(Spelling.didYouMean("Alway", POLICIES)).isEqualTo(" (did you mean 'Always'?)");
    }

    @Test
    void aWordFarFromEveryKnownOneSuggestsNothing() {
        assertThat(Spelling.closest("sometimes", POLICIES)).isEmpty();
        assertThat(Spelling.didYouMean("sometimes", POLICIES)).isEmpty();
    }
}
