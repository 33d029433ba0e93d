package org.bootferry.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The condition of an {@code {{#if}}} or {@code {{else if}}}: comparisons of a variable with a text or
 * another variable ({@code arch == "arm64"}, {@code firmware != "bios"}), a variable that is true or
 * false ({@code vars.raid}), joined by {@code and}, {@code or}, {@code not} and parentheses;
 * {@code not} binds tightest, then {@code and}, then {@code or}. A text is quoted with {@code "} or
 * {@code '}; a number may go unquoted ({@code vars.disks == 2} compares the text {@code 2}).
 *
 * <p>Every part is evaluated, none skipped by {@code and} or {@code or}: a misspelt name is an error
 * whatever the other parts say.
 */
sealed interface TemplateCondition {

    /** What a condition asks of the variables it names; each throws a {@link TemplateException} for a bad one. */
    interface Operands {
        /** The variable's single value as text; empty when nobody can know it (an item of an empty list). */
        Optional<String> text(String name);

        /** The variable's value, which must be true or false; empty when nobody can know it. */
        Optional<Boolean> truth(String name);
    }

    /** Whether the condition holds; an unknowable part counts as not holding. */
    boolean test(Operands operands);

    /** A name or a literal text on one side of {@code ==} or {@code !=}. */
    record Operand(String name, String literal) {
        Optional<String> text(Operands operands) {
            return name != null ? operands.text(name) : Optional.of(literal);
        }
    }

    record Compare(Operand left, Operand right, boolean equal) implements TemplateCondition {
        @Override
        public boolean test(Operands operands) {
            Optional<String> l = left.text(operands);
            Optional<String> r = right.text(operands);
            return l.isPresent() && r.isPresent() && l.get().equals(r.get()) == equal;
        }
    }

    record Truth(String name) implements TemplateCondition {
        @Override
        public boolean test(Operands operands) {
            return operands.truth(name).orElse(false);
        }
    }

    record Not(TemplateCondition negated) implements TemplateCondition {
        @Override
        public boolean test(Operands operands) {
            return !negated.test(operands);
        }
    }

    /** {@code and} ({@code all}) or {@code or}. */
    record Join(List<TemplateCondition> parts, boolean all) implements TemplateCondition {
        @Override
        public boolean test(Operands operands) {
            boolean result = all;
            for (TemplateCondition part : parts) {
                boolean holds = part.test(operands);
                result = all ? result && holds : result || holds;
            }
            return result;
        }
    }

    /** A variable name: {@code hostname}, or a dotted path into maps, {@code vars.disk.device}. */
    static boolean isName(String s) {
        boolean segmentStart = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
            boolean ok = segmentStart ? letter : letter || c >= '0' && c <= '9' || c == '-' || c == '.';
            if (!ok || c == '.' && i + 1 == s.length()) {
                return false;
            }
            segmentStart = c == '.';
        }
        return !s.isEmpty();
    }

    /** Parses the text after {@code #if} or {@code else if} on {@code line} of {@code file}. */
    static TemplateCondition parse(Path file, int line, String text) {
        return new Parser(file, line, text).whole();
    }

    /** Recursive descent over the words of a condition. */
    final class Parser {
        private final Path file;
        private final int line;
        private final List<String> words;
        private int next;
        private int depth;

        private Parser(Path file, int line, String text) {
            this.file = file;
            this.line = line;
            this.words = words(text);
        }

        TemplateCondition whole() {
            if (words.isEmpty()) {
                throw error("'{{#if}}' needs a condition, as in {{#if arch == \"arm64\"}}");
            }
            TemplateCondition c = or();
            if (next < words.size()) {
                throw error("unexpected '" + words.get(next) + "' in the condition (join parts with and, or)");
            }
            return c;
        }

        private TemplateCondition or() {
            List<TemplateCondition> parts = new ArrayList<>(List.of(and()));
            while (accept("or")) {
                parts.add(and());
            }
            return parts.size() == 1 ? parts.get(0) : new Join(List.copyOf(parts), false);
        }

        private TemplateCondition and() {
            List<TemplateCondition> parts = new ArrayList<>(List.of(unary()));
            while (accept("and")) {
                parts.add(unary());
            }
            return parts.size() == 1 ? parts.get(0) : new Join(List.copyOf(parts), true);
        }

        private TemplateCondition unary() {
            if (accept("not")) {
                return new Not(deeper(this::unary));
            }
            if (accept("(")) {
                TemplateCondition inner = deeper(this::or);
                if (!accept(")")) {
                    throw error("'(' in the condition is never closed with ')'");
                }
                return inner;
            }
            Operand left = operand();
            boolean equal = accept("==");
            if (!equal && !accept("!=")) {
                if (left.name() == null) {
                    throw error("a text alone is no condition: compare it with a variable, as in arch == \"arm64\"");
                }
                return new Truth(left.name());
            }
            return new Compare(left, operand(), equal);
        }

        /** {@code inner}, one {@code not} or {@code (} deeper: the parser recurses once per level. */
        private TemplateCondition deeper(Supplier<TemplateCondition> inner) {
            if (++depth > TemplateSyntax.MAX_DEPTH) {
                throw error("the condition nests 'not' and '(' more than " + TemplateSyntax.MAX_DEPTH + " deep");
            }
            try {
                return inner.get();
            } finally {
                depth--;
            }
        }

        private Operand operand() {
            if (next >= words.size()) {
                throw error("the condition ends where a variable or a \"text\" should follow");
            }
            String word = words.get(next++);
            char first = word.charAt(0);
            if (first == '"' || first == '\'') {
                return new Operand(null, word.substring(1, word.length() - 1));
            }
            if (word.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return new Operand(null, word);
            }
            if (!isName(word) || List.of("and", "or", "not").contains(word)) {
                throw error("'" + word + "' where a variable or a \"text\" should be (compare with == or !=)");
            }
            return new Operand(word, null);
        }

        private boolean accept(String word) {
            if (next < words.size() && words.get(next).equals(word)) {
                next++;
                return true;
            }
            return false;
        }

        /** Quoted texts, {@code ==}, {@code !=}, parentheses, and runs of anything else between spaces. */
        private List<String> words(String text) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"' || c == '\'') {
                    int close = text.indexOf(c, i + 1);
                    if (close < 0) {
                        throw error("a text in the condition opened with " + c + " is never closed");
                    }
                    out.add(text.substring(i, close + 1));
                    i = close + 1;
                } else if (c == '(' || c == ')') {
                    out.add(String.valueOf(c));
                    i++;
                } else if ((c == '=' || c == '!') && text.startsWith("=", i + 1)) {
                    out.add(text.substring(i, i + 2));
                    i += 2;
                } else {
                    int start = i;
                    while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "\"'()=!".indexOf(text.charAt(i)) < 0) {
                        i++;
                    }
                    if (i == start) {
                        throw error("'" + c + "' in the condition: compare with == or !=");
                    }
                    out.add(text.substring(start, i));
                }
            }
            return out;
        }

        private TemplateException error(String message) {
            return new TemplateException(file, line, message);
        }
    }
}
