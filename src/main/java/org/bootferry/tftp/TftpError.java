package org.bootferry.tftp;

/** TFTP error codes: RFC 1350 §5 (0–7) and RFC 2347 (8, option negotiation refused). */
public enum TftpError {
    NOT_DEFINED(0),
    FILE_NOT_FOUND(1),
    ACCESS_VIOLATION(2),
    DISK_FULL(3),
    ILLEGAL_OPERATION(4),
    UNKNOWN_TID(5),
    FILE_EXISTS(6),
    NO_SUCH_USER(7),
    OPTION_REFUSED(8);

    private static final TftpError[] BY_CODE = values();

    private final int code;

    TftpError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The error for a wire code. Codes beyond 8 are not defined by any RFC; they read as
     * {@link #NOT_DEFINED}, whose meaning ("see the message") is what a peer sending them intends.
     */
    public static TftpError of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : NOT_DEFINED;
    }
}
