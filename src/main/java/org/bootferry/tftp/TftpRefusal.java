package org.bootferry.tftp;

/**
 * A request we answer with an ERROR packet: the code the RFC prescribes and a message the person at
 * the console of the booting machine can act on (firmware prints it).
 */
public final class TftpRefusal extends Exception {

    private final TftpError error;

    public TftpRefusal(TftpError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public TftpError error() {
        return error;
    }

    /** The ERROR packet that tells the client. */
    public TftpPacket.Error packet() {
        return new TftpPacket.Error(error, getMessage());
    }
}
