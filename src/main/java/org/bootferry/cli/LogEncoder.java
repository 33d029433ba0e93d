package org.bootferry.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * The encoder logback.xml gives stderr: lays each event out the way {@link Logging} chose from the
 * environment, and lets {@code serve --log-format} change that once the command line is read. Public
 * for logback, which creates it by name.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {

    /** Swapped while other threads log, so read once per event. */
    private volatile Layout<ILoggingEvent> layout;

    @Override
    public void start() {
        if (layout == null) {
            layout = Logging.layout(getContext(), Logging.format(System.getenv()), System.getenv());
        }
        super.start();
    }

    void use(Layout<ILoggingEvent> next) {
        layout = next;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        // UTF-8 whatever the platform's default: journald and log shippers read UTF-8.
        return layout.doLayout(event).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
