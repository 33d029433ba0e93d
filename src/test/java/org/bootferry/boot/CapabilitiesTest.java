package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.bootferry.machine.MacAddress;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress NODE2 = MacAddress.parse("52:54:00:12:34:57");
    static final Instant ISSUED = Instant.parse("2026-12-04T08:00:00Z");
    static final Duration LIFETIME = Duration.ofHours(6);

    static byte[] key(int fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) fill);
        return key;
    }

    static Capabilities at(byte[] key, Instant now) {
        return Capabilities.of(key, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aCapabilityOpensItsOwnMachinesUrlsOnly() {
        Capabilities server = at(key(1), ISSUED);
        Optional<Capability> mine = Optional.of(server.issue(NODE1));
        assertThat(server.check(NODE1, mine, LIFETIME)).isEmpty();
        assertThat(server.check(NODE2, mine, LIFETIME)).contains(Capabilities.Refusal.FORGED);
        assertThat(server.check(NODE1, Optional.empty(), LIFETIME)).contains(Capabilities.Refusal.MISSING);
        assertThat(server.issue(NODE1)).as("the same MAC and second, the same capability").isEqualTo(mine.get());
        assertThat(server.issue(NODE2)).isNotEqualTo(mine.get());
    }

    @Test
    void itExpiresOnceItsLifetimeHasPassed() {
        Capability issued = at(key(1), ISSUED).issue(NODE1);
        assertThat(at(key(1), ISSUED.plus(LIFETIME).minusSeconds(1)).check(NODE1, Optional.of(issued), LIFETIME)).isEmpty();
        assertThat(at(key(1), ISSUED.plus(LIFETIME)).check(NODE1, Optional.of(issued), LIFETIME))
                .contains(Capabilities.Refusal.EXPIRED);
        // A longer lifetime configured later lets it live on: the capability records when, not until when.
        assertThat(at(key(1), ISSUED.plus(LIFETIME)).check(NODE1, Optional.of(issued), LIFETIME.multipliedBy(2))).isEmpty();
    }

    /** A restarted server has the same key (journal/CapabilityKey): what it issued before still opens. */
    @Test
    void theSameKeyAcceptsItAfterARestartAndAnotherKeyDoesNot() {
        Capability before = at(key(1), ISSUED).issue(NODE1);
        Capabilities restarted = at(key(1), ISSUED.plus(Duration.ofMinutes(20)));
        assertThat(restarted.check(NODE1, Optional.of(before), LIFETIME)).isEmpty();
        assertThat(at(key(2), ISSUED).check(NODE1, Optional.of(before), LIFETIME)).contains(Capabilities.Refusal.FORGED);
    }

    /** Neither the time nor the tag can be changed: a later issue time would extend it, another tag guess it. */
    @Test
    void anAlteredCapabilityIsRefused() {
        Capabilities server = at(key(1), ISSUED);
        String text = server.issue(NODE1).toString();
        String epoch = text.substring(0, text.indexOf('-'));
        String tag = text.substring(text.indexOf('-') + 1);
        String later = Long.toHexString(Long.parseLong(epoch, 16) + 3600);
        char flipped = tag.charAt(0) == '0' ? '1' : '0';
        for (String altered : new String[] {later + "-" + tag, epoch + "-" + flipped + tag.substring(1),
                epoch + "-" + tag.substring(0, 31), epoch + "-" + tag.toUpperCase(), "CAPABILITY", ""}) {
            assertThat(server.check(NODE1, Optional.of(Capability.read(altered)), LIFETIME)).as(altered)
                    .contains(Capabilities.Refusal.FORGED);
        }
        assertThat(server.check(NODE1, Optional.of(Capability.read(text)), LIFETIME)).isEmpty();
    }

    @Test
    void hiddenCapabilitiesShowAPlaceholderThatOpensNothing() {
        Capability shown = Capabilities.HIDDEN.issue(NODE1);
        assertThat(shown).hasToString("CAPABILITY");
        assertThat(at(key(1), ISSUED).check(NODE1, Optional.of(shown), LIFETIME)).contains(Capabilities.Refusal.FORGED);
        assertThat(Capabilities.HIDDEN.check(NODE1, Optional.of(at(key(1), ISSUED).issue(NODE1)), LIFETIME))
                .contains(Capabilities.Refusal.FORGED);
    }

    @Test
    void aShortKeyIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Capabilities.of(new byte[16], Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes");
    }
}
