package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Layout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three forms of a log line: dated text, journald's priorities, JSON. */
class LoggingTest {

    private final LoggerContext context = new LoggerContext();

    private ILoggingEvent event(Level level, String message, Throwable thrown) {
        LoggingEvent e = new LoggingEvent("org.bootferry.Test", context.getLogger("org.bootferry.http.HttpRouter"),
                level, message, thrown, null);
        e.setThreadName("http-1");
        e.setTimeStamp(OffsetDateTime.parse("2026-12-03T21:04:05.678+01:00").toInstant().toEpochMilli());
        return e;
    }

    @Test
    void textLinesCarryDateTimeAndOffset() {
        Layout<ILoggingEvent> text = Logging.layout(context, Logging.Format.TEXT, Map.of());
        assertThat(text.doLayout(event(Level.INFO, "GET /healthz 200", null)))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  HttpRouter: GET /healthz 200\\R");
    }

    @Test
    void underJournaldLinesStartWithTheSyslogPriorityAndNoTimestamp() {
        Layout<ILoggingEvent> journal = Logging.layout(context, Logging.Format.TEXT, Map.of("JOURNAL_STREAM", "8:12345"));
        assertThat(journal.doLayout(event(Level.WARN, "slow", null))).isEqualTo("<4>WARN  HttpRouter: slow" + System.lineSeparator());
        assertThat(Logging.JournalPriority.prefix(Level.ERROR)).isEqualTo("<3>");
        assertThat(Logging.JournalPriority.prefix(Level.WARN)).isEqualTo("<4>");
        assertThat(Logging.JournalPriority.prefix(Level.INFO)).isEqualTo("<6>");
        assertThat(Logging.JournalPriority.prefix(Level.DEBUG)).isEqualTo("<7>");
        assertThat(Logging.JournalPriority.prefix(Level.TRACE)).isEqualTo("<7>");
    }

    @Test
    void jsonLinesAreOneEscapedObjectEach() throws Exception {
        String message = "say \"hi\"\\ then\nline two\t\u0001 end \u00e9";
        String line = new JsonLayout(ZoneOffset.ofHours(1)).doLayout(event(Level.ERROR, message,
                new IllegalStateException("boom \"quoted\"")));
        assertThat(line).endsWith("}\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\t", "\u0001");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("time").asText()).isEqualTo("2026-12-03T21:04:05.678+01:00");
        assertThat(json.get("level").asText()).isEqualTo("ERROR");
        assertThat(json.get("logger").asText()).isEqualTo("org.bootferry.http.HttpRouter");
        assertThat(json.get("thread").asText()).isEqualTo("http-1");
        assertThat(json.get("message").asText()).isEqualTo(message);
        assertThat(json.get("exception").asText())
                .startsWith("java.lang.IllegalStateException: boom \"quoted\"")
                .contains("at org.bootferry.cli.LoggingTest.");
    }

    @Test
    void jsonLinesWithoutAnExceptionHaveNoExceptionField() throws Exception {
        JsonNode json = new ObjectMapper().readTree(
                Logging.layout(context, Logging.Format.JSON, Map.of()).doLayout(event(Level.INFO, "ok {}", null)));
        assertThat(json.has("exception")).isFalse();
        assertThat(json.get("message").asText()).isEqualTo("ok {}");
    }

    @Test
    void theFormatComesFromTheEnvironmentUnlessTheCommandLineNamesOne() {
        assertThat(Logging.format(Map.of())).isEqualTo(Logging.Format.TEXT);
        assertThat(Logging.format(Map.of("BOOTFERRY_LOG_FORMAT", "JSON"))).isEqualTo(Logging.Format.JSON);
        assertThat(Logging.format(Map.of("BOOTFERRY_LOG_FORMAT", "xml"))).isEqualTo(Logging.Format.TEXT);
        assertThat(new Logging.FormatConverter().convert("json")).isEqualTo(Logging.Format.JSON);
        assertThatThrownBy(() -> new Logging.FormatConverter().convert("xml"))
                .hasMessage("'xml' is not a log format (text or json)");
    }
}
