package org.bootferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What a log line looks like, decided in one place: dated text for a terminal or a file, text with
 * syslog priorities for journald, or one JSON object per line for log shippers. logback.xml names
 * {@link LogEncoder}, which asks here at startup; {@code serve --log-format} switches afterwards.
 */
final class Logging {

    enum Format { TEXT, JSON }

    /** The format when no {@code --log-format} is given, for every command. */
    static final String FORMAT_ENV = "BOOTFERRY_LOG_FORMAT";
    /** Set by systemd when it connected stderr to journald (systemd.exec(5)). */
    static final String JOURNAL_ENV = "JOURNAL_STREAM";

    /** ISO-8601 with date and offset: a line in a file or a ticket must say which day and which zone. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n";
    /** journald stamps each line itself; the {@code <N>} prefix becomes the entry's priority. */
    static final String JOURNAL_PATTERN = "%priority%-5level %logger{0}: %msg%n";

    private Logging() {
    }

    /** The format {@code env} asks for; text when it names none (or none known: serve refuses that itself). */
    static Format format(Map<String, String> env) {
        try {
            return parse(env.getOrDefault(FORMAT_ENV, "text"));
        } catch (IllegalArgumentException e) {
            return Format.TEXT;
        }
    }

    static Format parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "text", "" -> Format.TEXT;
            case "json" -> Format.JSON;
            default -> throw new IllegalArgumentException("'" + name + "' is not a log format (text or json)");
        };
    }

    /** A layout of {@code format}, started; text lines carry journald priorities when {@code env} says stderr is the journal. */
    static Layout<ILoggingEvent> layout(Context context, Format format, Map<String, String> env) {
        Layout<ILoggingEvent> layout;
        if (format == Format.JSON) {
            layout = new JsonLayout();
        } else {
            PatternLayout pattern = new PatternLayout();
            pattern.getInstanceConverterMap().put("priority", JournalPriority::new);
            pattern.setPattern(env.containsKey(JOURNAL_ENV) ? JOURNAL_PATTERN : TEXT_PATTERN);
            layout = pattern;
        }
        layout.setContext(context);
        layout.start();
        return layout;
    }

    /** Switches every appender logback.xml gave a {@link LogEncoder} to {@code format}. */
    static void use(Format format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding (none ships with us): its own config decides
        }
        Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        while (appenders.hasNext()) {
            if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> out
                    && out.getEncoder() instanceof LogEncoder encoder) {
                encoder.use(layout(context, format, System.getenv()));
            }
        }
    }

    /**
     * {@code %priority}: sd-daemon.h's {@code <N>} prefix, which journald turns into the entry's
     * priority, so {@code journalctl -p warning} shows warnings and errors.
     */
    static final class JournalPriority extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return prefix(event.getLevel());
        }

        static String prefix(Level level) {
            return switch (level.toInt()) {
                case Level.ERROR_INT -> "<3>";
                case Level.WARN_INT -> "<4>";
                case Level.INFO_INT -> "<6>";
                default -> "<7>"; // DEBUG and TRACE: syslog has nothing below debug
            };
        }
    }

    /** {@code --log-format text|json}, any case. */
    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
