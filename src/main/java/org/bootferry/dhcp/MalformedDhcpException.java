package org.bootferry.dhcp;

/** A datagram that is not a DHCP message bootferry can read; the message says what is wrong and where. */
public final class MalformedDhcpException extends Exception {

    public MalformedDhcpException(String reason) {
        super(reason);
    }
}
