package org.bootferry.cli;

/**
 * What {@code bootferry}'s exit status means, for scripts and systemd (the README lists them). Each
 * kind of failure has its own, so a unit or a script can tell a typo from a broken config from a
 * port another process holds.
 */
final class ExitCodes {

    /** Config errors (validate's findings, serve refusing a config), a MAC not answered, a failed pull or reset. */
    static final int FAILED = 1;
    /** A usage error: unknown option, missing or malformed argument. picocli's own code for these. */
    static final int USAGE = 2;
    /** serve could not start: a port can't be bound, the state directory or image cache can't be used. */
    static final int CANNOT_START = 3;
    /** A bug: an exception no command expected, printed with its stack trace (sysexits' EX_SOFTWARE). */
    static final int BUG = 70;

    private ExitCodes() {
    }
}
