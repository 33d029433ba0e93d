package org.bootferry.tftp;

/** A datagram that is not a TFTP packet; the message says what is wrong with it, for one log line. */
public final class MalformedPacketException extends Exception {

    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
