package org.bootferry.boot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bootferry.machine.MacAddress;

/**
 * Issues and checks machines' per-boot {@link Capability capabilities}: HMAC-SHA256 (RFC 2104) with
 * the server's key over the MAC and the second of issue, so that one is unguessable, names its
 * machine and its age, and needs no record kept: a server restarted with the same key (the state
 * directory's, see {@code journal/CapabilityKey}) accepts what it issued before, and a capability
 * lives until its age passes server.yaml's {@code access.lifetime}. The tag is the HMAC's first 128
 * bits, the shortest truncation RFC 2104 §5 recommends (half the hash), so that URLs in a kernel
 * command line stay short.
 */
public final class Capabilities {

    /** Capabilities for showing URLs only (validate, explain, the API): every one is {@link Capability#HIDDEN}. */
    public static final Capabilities HIDDEN = new Capabilities(Optional.empty(), Clock.systemUTC());

    private static final String HMAC = "HmacSHA256";
    private static final int TAG_BYTES = 16;
    /** Names what the HMAC is over, so that the key could sign nothing else to look the same. */
    private static final byte[] CONTEXT = "bootferry boot capability v1".getBytes(StandardCharsets.US_ASCII);

    private final Optional<SecretKeySpec> key;
    private final Clock clock;

    private Capabilities(Optional<SecretKeySpec> key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** @param key the server's secret, at least 32 bytes (RFC 2104 §3: no shorter than the hash) */
    public static Capabilities of(byte[] key, Clock clock) {
        if (key.length < 32) {
            throw new IllegalArgumentException("a capability key needs at least 32 bytes, not " + key.length);
        }
        return new Capabilities(Optional.of(new SecretKeySpec(key, HMAC)), clock);
    }

    /** Why a capability was not accepted. */
    public enum Refusal {
        /** The URL carries none. */
        MISSING("no capability in the URL"),
        /** Another machine's, or made up or altered: the HMAC does not match this MAC. */
        FORGED("a capability that is not this machine's (another machine's, or altered)"),
        /** Issued longer ago than the lifetime. */
        EXPIRED("an expired capability");

        private final String description;

        Refusal(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** A new capability for {@code mac}, issued now. */
    public Capability issue(MacAddress mac) {
        if (key.isEmpty()) {
            return Capability.HIDDEN;
        }
        long epoch = second();
        return new Capability(epoch, tag(mac, epoch));
    }

    /** The second a capability issued now carries: every one issued for a MAC within it is the same. */
    long second() {
        return clock.instant().getEpochSecond();
    }

    /**
     * Why {@code capability} does not let a request for {@code mac}'s URLs through, or empty when it
     * does: issued by this key for this MAC, less than {@code lifetime} ago.
     */
    public Optional<Refusal> check(MacAddress mac, Optional<Capability> capability, Duration lifetime) {
        if (capability.isEmpty()) {
            return Optional.of(Refusal.MISSING);
        }
        Capability c = capability.get();
        if (key.isEmpty() || c == Capability.HIDDEN
                // Compared in constant time, so that the answer's timing tells nothing of the right tag.
                || !MessageDigest.isEqual(c.tag().getBytes(StandardCharsets.US_ASCII),
                        tag(mac, c.epoch()).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(Refusal.FORGED);
        }
        Instant expires = Instant.ofEpochSecond(c.epoch()).plus(lifetime);
        return clock.instant().isBefore(expires) ? Optional.empty() : Optional.of(Refusal.EXPIRED);
    }

    private String tag(MacAddress mac, long epoch) {
        try {
            Mac hmac = Mac.getInstance(HMAC);
            hmac.init(key.orElseThrow());
            hmac.update(CONTEXT);
            hmac.update(mac.toBytes());
            hmac.update(ByteBuffer.allocate(Long.BYTES).putLong(epoch).array());
            byte[] full = hmac.doFinal();
            return HexFormat.of().formatHex(full, 0, TAG_BYTES);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java runtime has " + HMAC + " (JCA standard names)", e);
        }
    }
}
