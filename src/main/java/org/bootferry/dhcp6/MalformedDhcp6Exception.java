package org.bootferry.dhcp6;

/** A datagram that is not a DHCPv6 message bootferry can read; the message says what is wrong and where. */
public final class MalformedDhcp6Exception extends Exception {

    public MalformedDhcp6Exception(String reason) {
        super(reason);
    }
}
