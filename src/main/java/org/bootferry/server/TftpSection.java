package org.bootferry.server;

import org.bootferry.config.ServerSettings;
import org.bootferry.tftp.TftpSettings;

/**
 * server.yaml's {@code tftp:} section as the TFTP server takes it. Its defaults are
 * {@link ServerSettings.Tftp#DEFAULT}'s, the one place they are written: the tftp package may not
 * read config, so it has none of its own.
 */
public final class TftpSection {

    private TftpSection() {
    }

    /** The TFTP server's settings from the {@code tftp:} section {@code t}. */
    public static TftpSettings settings(ServerSettings.Tftp t) {
        return new TftpSettings(t.maxBlockSize(), t.maxWindowSize(), t.timeout(), t.maxRetries(), t.maxSessions(),
                t.maxSessionsPerClient(), t.rolloverToOne() ? TftpSettings.Rollover.ONE : TftpSettings.Rollover.ZERO);
    }
}
