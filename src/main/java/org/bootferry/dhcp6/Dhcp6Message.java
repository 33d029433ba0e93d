package org.bootferry.dhcp6;

import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;

/**
 * A DHCPv6 message: a client's or server's (RFC 8415 §8) or a relay agent's (§9). Options keep the
 * order they came in; a code may occur more than once (several IA_NA, §21.4).
 */
public sealed interface Dhcp6Message {

    Dhcp6MessageType type();

    List<Dhcp6Option> options();

    /** The first option of this record class, if any. */
    default <T extends Dhcp6Option> Optional<T> option(Class<T> kind) {
        return options().stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /** §8: msg-type, a 24-bit transaction-id, options. */
    record ClientServer(Dhcp6MessageType type, int transactionId, List<Dhcp6Option> options) implements Dhcp6Message {
        public ClientServer {
            if (type.relay()) {
                throw new IllegalArgumentException(type + " has a relay header (RFC 8415 §9), not §8's");
            }
            if (transactionId < 0 || transactionId > 0xFF_FFFF) {
                throw new IllegalArgumentException("transaction-id " + transactionId + " does not fit 24 bits");
            }
            options = List.copyOf(options);
        }
    }

    /**
     * §9: RELAY-FORW or RELAY-REPL. {@code linkAddress} names the client's link (:: when the agent
     * has no global address there), {@code peerAddress} the client or the relay agent it came from.
     */
    record Relay(Dhcp6MessageType type, int hopCount, Inet6Address linkAddress, Inet6Address peerAddress,
                 List<Dhcp6Option> options) implements Dhcp6Message {
        public Relay {
            if (!type.relay()) {
                throw new IllegalArgumentException(type + " is not a relay message (RFC 8415 §9)");
            }
            if (hopCount < 0 || hopCount > 255) {
                throw new IllegalArgumentException("hop-count " + hopCount + " does not fit one byte");
            }
            options = List.copyOf(options);
            if (options.stream().noneMatch(Dhcp6Option.RelayMessage.class::isInstance)) {
                throw new IllegalArgumentException(type + " without RELAY_MSG (9): RFC 8415 §9 requires it");
            }
        }

        /** The relayed message of option 9 (§21.10), which §9 requires. */
        public Dhcp6Message relayed() {
            return option(Dhcp6Option.RelayMessage.class).orElseThrow().message();
        }
    }
}
