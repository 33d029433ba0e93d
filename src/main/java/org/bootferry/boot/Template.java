package org.bootferry.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.lang.BoundedCache;

/**
 * A server-side template: text with {@code {{ name }}} placeholders, where a name is a variable
 * ({@code hostname}) or a dotted path into a map ({@code vars.timezone}). The braces never collide
 * with iPXE's client-side {@code ${name}}. A name that has no value is an error naming the file and
 * line, never an empty string: an installer fed a blank value fails far from the cause.
 */
public final class Template {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)*");

    private final Path file;
    private final List<Object> parts;

    private record Placeholder(String name, int line) {
    }

    private Template(Path file, List<Object> parts) {
        this.file = file;
        this.parts = parts;
    }

    private record Source(Path file, String text) {
    }

    /** Distinct sources kept parsed; config edits leave old ones behind, so they are bounded. */
    private static final BoundedCache<Source, Template> PARSED = new BoundedCache<>(4096);

    /**
     * {@link #parse}, once per distinct file and text: every DHCP answer plans a command line, and a
     * network's machines share a few of them.
     */
    public static Template parseCached(Path file, String text) {
        return PARSED.get(new Source(file, text), source -> parse(source.file(), source.text()));
    }

    /** Parses {@code text}; {@code file} names it in errors. */
    public static Template parse(Path file, String text) {
        List<Object> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int last = 0;
        while (m.find()) {
            int line = lineAt(text, m.start());
            String name = m.group(1);
            if (!NAME.matcher(name).matches()) {
                // The text between the braces is not repeated: it may be a value pasted in by mistake.
                throw new TemplateException(file, line, "a '{{ }}' here holds no variable name"
                        + " (write e.g. {{hostname}} or {{vars.timezone}})");
            }
            parts.add(text.substring(last, m.start()));
            parts.add(new Placeholder(name, line));
            last = m.end();
        }
        String rest = text.substring(last);
        int open = rest.indexOf("{{");
        if (open >= 0) {
            throw new TemplateException(file, lineAt(text, last + open), "'{{' is never closed with '}}'");
        }
        parts.add(rest);
        return new Template(file, List.copyOf(parts));
    }

    /**
     * Renders with {@code values}; nested maps are reached with dots.
     *
     * @param escape applied to every substituted value, so a value can't break the file's syntax
     */
    public String render(Map<String, ?> values, Escaper escape) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Placeholder p) {
                out.append(escape.escape(p.name(), lookup(values, p)));
            } else {
                out.append((String) part);
            }
        }
        return out.toString();
    }

    /** Escapes one substituted value for the kind of file being rendered; may refuse it. */
    @FunctionalInterface
    public interface Escaper {
        Escaper NONE = (name, value) -> value;

        String escape(String name, String value);
    }

    private String lookup(Map<String, ?> values, Placeholder p) {
        Object current = values;
        StringBuilder path = new StringBuilder();
        for (String key : p.name().split("\\.")) {
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                String known = current instanceof Map<?, ?> map ? " (known here: " + String.join(", ",
                        map.keySet().stream().map(String::valueOf).sorted().toList()) + ")" : "";
                throw new TemplateException(file, p.line(), "unknown variable '" + p.name() + "'"
                        + (path.isEmpty() ? "" : ": '" + path + "' has no '" + key + "'") + known);
            }
            current = map.get(key);
            path.append(path.isEmpty() ? "" : ".").append(key);
        }
        if (current instanceof Map<?, ?> || current == null) {
            throw new TemplateException(file, p.line(), "variable '" + p.name() + "' has no single value");
        }
        return String.valueOf(current);
    }

    private static int lineAt(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
