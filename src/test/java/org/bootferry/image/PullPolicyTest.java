package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PullPolicyTest {

    @Test
    void kubevirtSpellingsAreAccepted() {
        assertThat(PullPolicy.parse("imagePullPolicy", "Always")).isEqualTo(PullPolicy.ALWAYS);
        assertThat(PullPolicy.parse("imagePullPolicy", "IfNotPresent")).isEqualTo(PullPolicy.IF_NOT_PRESENT);
        assertThat(PullPolicy.parse("imagePullPolicy", "Never")).isEqualTo(PullPolicy.NEVER);
        for (PullPolicy p : PullPolicy.values()) {
            assertThat(PullPolicy.parse("imagePullPolicy", p.id())).isEqualTo(p);
        }
    }

    @Test
    void otherSpellingsAreRefusedWithTheOneMeant() {
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", "ifnotpresent")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("imagePullPolicy 'ifnotpresent' is not Always, IfNotPresent or Never"
                        + " (did you mean 'IfNotPresent'?)");
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", "if-not-present")).hasMessageEndingWith("(did you mean 'IfNotPresent'?)");
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", "always")).hasMessageEndingWith("(did you mean 'Always'?)");
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", " Never")).hasMessageEndingWith("(did you mean 'Never'?)");
    }

    @Test
    void unknownPoliciesAreRefusedWithoutAGuess() {
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", "Sometimes"))
                .hasMessage("imagePullPolicy 'Sometimes' is not Always, IfNotPresent or Never");
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", "")).hasMessage("imagePullPolicy '' is not Always, IfNotPresent or Never");
        assertThatThrownBy(() -> PullPolicy.parse("imagePullPolicy", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultsFollowKubernetes() throws Exception {
        assertThat(PullPolicy.defaultFor(ImageReference.parse("fedora"))).isEqualTo(PullPolicy.ALWAYS);
        assertThat(PullPolicy.defaultFor(ImageReference.parse("fedora:latest"))).isEqualTo(PullPolicy.ALWAYS);
        assertThat(PullPolicy.defaultFor(ImageReference.parse("fedora:42"))).isEqualTo(PullPolicy.IF_NOT_PRESENT);
        assertThat(PullPolicy.defaultFor(ImageReference.parse("fedora@sha256:" + "a".repeat(64))))
                .isEqualTo(PullPolicy.IF_NOT_PRESENT);
    }
}
