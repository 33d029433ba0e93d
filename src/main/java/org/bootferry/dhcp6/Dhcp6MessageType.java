package org.bootferry.dhcp6;

import java.util.Optional;

/** The DHCPv6 message types (RFC 8415 §7.3) bootferry reads or writes; RELAY-FORW and RELAY-REPL are §9's. */
public enum Dhcp6MessageType {
    SOLICIT(1, true),
    ADVERTISE(2, false),
    REQUEST(3, true),
    CONFIRM(4, true),
    RENEW(5, true),
    REBIND(6, true),
    REPLY(7, false),
    RELEASE(8, true),
    DECLINE(9, true),
    RECONFIGURE(10, false),
    INFORMATION_REQUEST(11, true),
    RELAY_FORW(12, false),
    RELAY_REPL(13, false);

    private final int code;
    private final boolean fromClient;

    Dhcp6MessageType(int code, boolean fromClient) {
        this.code = code;
        this.fromClient = fromClient;
    }

    public int code() {
        return code;
    }

    /** True for the types a client sends (RFC 8415 §7.3), false for a server's and a relay agent's. */
    public boolean fromClient() {
        return fromClient;
    }

    /** True for RELAY-FORW and RELAY-REPL, which have §9's relay header instead of §8's. */
    public boolean relay() {
        return this == RELAY_FORW || this == RELAY_REPL;
    }

    /** The RFC's spelling: RELAY-FORW, INFORMATION-REQUEST. */
    @Override
    public String toString() {
        return name().replace('_', '-');
    }

    public static Optional<Dhcp6MessageType> of(int code) {
        Dhcp6MessageType[] all = values();
        return code >= 1 && code <= all.length ? Optional.of(all[code - 1]) : Optional.empty();
    }
}
