package org.bootferry.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bootferry.lang.Spelling;

/**
 * Strict YAML binding: unknown keys, wrong types and syntax errors become {@link ConfigError}s with
 * the line they are on and, for a misspelt key, the key that was probably meant.
 */
public final class YamlFiles {

    static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // 8080.5 is no port: a fraction is an error, not cut off where a whole number is expected.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");

    private YamlFiles() {
    }

    /** The outcome of reading one file: a value, or the error that kept it out. */
    record Read<T>(Optional<T> value, Optional<ConfigError> error, List<String> lines) {
    }

    /** @param root the directory the file must really be in (see {@link ConfigText#read}) */
    static <T> Read<T> read(Path root, Path file, Class<T> type) {
        Read<String> text = text(root, file);
        return text.value().isPresent() ? bind(file, text.value().get(), text.lines(), type)
                : new Read<>(Optional.empty(), text.error(), text.lines());
    }

    /** A config file's text and lines, or the error that kept it unread. */
    static Read<String> text(Path root, Path file) {
        String text;
        try {
            text = ConfigText.read(root, file);
        } catch (ConfigText.RefusedException e) {
            return failed(file, e.line(), e.getMessage(), List.of());
        } catch (CharacterCodingException e) {
            return failed(file, 0, "not UTF-8 text", List.of());
        } catch (IOException e) {
            return failed(file, 0, "cannot read: " + e.getMessage(), List.of());
        }
        return new Read<>(Optional.of(text), Optional.empty(), text.lines().toList());
    }

    /** Binds a file's text (its {@code lines}) to {@code type}. */
    static <T> Read<T> bind(Path file, String text, List<String> lines, Class<T> type) {
        try {
            T value = MAPPER.readValue(text, type);
            if (value == null) {
                return failed(file, 0, "the file is empty", lines);
            }
            return new Read<>(Optional.of(value), Optional.empty(), lines);
        } catch (JsonProcessingException e) {
            int line = line(e);
            if (e instanceof UnrecognizedPropertyException u) {
                // Records bind through their constructor, so the parser may have read past the key.
                line = lastLineOf(lines, u.getPropertyName(), line);
            }
            return failed(file, line, describe(e), lines);
        }
    }

    private static <T> Read<T> failed(Path file, int line, String message, List<String> lines) {
        return new Read<>(Optional.empty(), Optional.of(new ConfigError(file, line, message)), lines);
    }

    /**
     * For a binding error the token the binder stopped at (the unknown key, the value of the wrong
     * type): the exception's own location is where the parser had read to, often the next line.
     */
    private static int line(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        if (e instanceof JsonMappingException && e.getProcessor() instanceof JsonParser parser
                && parser.currentTokenLocation() != null) {
            location = parser.currentTokenLocation();
        }
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }

    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String key = u.getPropertyName();
            Collection<Object> known = u.getKnownPropertyIds();
            List<String> names = known == null ? List.of()
                    : known.stream().map(String::valueOf).sorted().toList();
            String where = parentPath(u);
            if (!isKeyName(key)) {
                // Not a key anybody typed on purpose: a line of another file (a symlink to
                // /etc/shadow) or a value put where a key goes. Its text is not repeated.
                return "an unknown key that is no key name" + (where.isEmpty() ? "" : " in '" + where + "'");
            }
            String message = "unknown key '" + key + "'" + (where.isEmpty() ? "" : " in '" + where + "'");
            return Spelling.closest(key, names)
                    .map(s -> message + " (did you mean '" + s + "'?)")
                    .orElse(message + (names.isEmpty() ? "" : " (known keys: " + String.join(", ", names) + ")"));
        }
        if (e instanceof InvalidFormatException f) {
            return "'" + path(f) + "': the value is not " + typeName(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            String at = path(m);
            return (at.isEmpty() ? "the file" : "'" + at + "'") + " should be " + typeName(m.getTargetType());
        }
        String message = e.getOriginalMessage();
        int cut = message.indexOf('\n');
        // SnakeYAML quotes the characters it stopped at; the line number says where they are.
        return "YAML syntax error: " + QUOTED.matcher(cut > 0 ? message.substring(0, cut) : message).replaceAll("…");
    }

    /** A key's name as people write them: anything else is not repeated in a message. */
    private static boolean isKeyName(String key) {
        return KEY_NAME.matcher(key).matches();
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a text value";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "a mapping of keys to values";
        }
        return "a mapping of keys to values";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String parentPath(JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        return refs.subList(0, Math.max(refs.size() - 1, 0)).stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** The last line at or before {@code upTo} where {@code key:} appears; {@code upTo} if none does. */
    private static int lastLineOf(List<String> lines, String key, int upTo) {
        for (int i = Math.min(upTo, lines.size()); i >= 1; i--) {
            if (isKeyLine(lines.get(i - 1), key)) {
                return i;
            }
        }
        return upTo;
    }

    private static boolean isKeyLine(String line, String key) {
        String needle = key + ":";
        String l = line.stripLeading();
        return l.startsWith(needle) || l.startsWith("- " + needle) || l.contains("{" + needle)
                || l.contains(", " + needle) || l.contains(" " + needle + " ");
    }

    /**
     * The 1-based line where {@code key:} first appears in the file, for an error about a key found
     * after the file was bound (by a check across files, too); 0 if the key or the file is not there.
     */
    public static int lineOf(Path file, String key) {
        try {
            return lineOf(ConfigText.read(file.getParent(), file).lines().toList(), key);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The 1-based line where {@code key:} first appears, for errors found after binding; 0 if not found. */
    static int lineOf(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            if (isKeyLine(lines.get(i), key)) {
                return i + 1;
            }
        }
        return 0;
    }
}
