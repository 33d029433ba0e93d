package org.bootferry.boot;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.bootferry.boot.TemplateSyntax.Each;
import org.bootferry.boot.TemplateSyntax.If;
import org.bootferry.boot.TemplateSyntax.Node;
import org.bootferry.boot.TemplateSyntax.Text;
import org.bootferry.boot.TemplateSyntax.Value;
import org.bootferry.lang.BoundedCache;

/**
 * A server-side template: text with {@code {{ name }}} placeholders, where a name is a variable
 * ({@code hostname}) or a dotted path into a map ({@code vars.timezone}), and sections that branch
 * ({@code {{#if arch == "arm64"}} … {{else if …}} … {{else}} … {{/if}}}, see {@link TemplateCondition})
 * and loop ({@code {{#each vars.disks as disk}} … {{disk.device}} … {{/each}}}, with
 * {@code loop.index} counting from 1, {@code loop.first} and {@code loop.last}); their syntax is
 * {@link TemplateSyntax}'s. The braces never collide with iPXE's client-side {@code ${name}}.
 *
 * <p>Strict: a name that has no value is an error naming the file and line, never an empty string,
 * since an installer fed a blank value fails far from the cause. That holds in the branches not
 * taken too (every name there is looked up, nothing is written), and in the body of a loop over an
 * empty list, but for the names under its item, which no value can be checked against: a template
 * that renders for a BIOS machine (what {@code validate} plans) does not fail on the first arm64 one.
 *
 * <p>Why our own engine and not a library: Mustache is logic-less (no {@code arch == "arm64"}, only
 * sections on values computed beforehand) and its engines skip the sections they don't render, so a
 * misspelt name in an arm64-only branch would pass {@code validate}; JMustache, the one with a strict
 * collector, is not among the packages this build may use (maven-partial.tsv), and mustache.java
 * writes a missing name as an empty string. What we need is small: names, two sections, file:line
 * errors, and the values' escaping that an install file's lines need ({@link Escaper}).
 */
public final class Template {

    private final Path file;
    private final List<Node> nodes;

    private Template(Path file, List<Node> nodes) {
        this.file = file;
        this.nodes = nodes;
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
        return new Template(file, TemplateSyntax.parse(file, text));
    }

    /**
     * Renders with {@code values}; nested maps are reached with dots, lists by {@code {{#each}}}.
     *
     * @param escape applied to every substituted value, so a value can't break the file's syntax
     */
    public String render(Map<String, ?> values, Escaper escape) {
        StringBuilder out = new StringBuilder();
        new Rendering(values, escape).nodes(nodes, null, out);
        return out.toString();
    }

    /** Escapes one substituted value for the kind of file being rendered; may refuse it. */
    @FunctionalInterface
    public interface Escaper {
        Escaper NONE = (name, value) -> value;

        /**
         * {@code value} as the file can hold it.
         *
         * @throws IllegalArgumentException saying why the file can't hold it; the error names the file and line
         */
        String escape(String name, String value);
    }

    /** The value of a loop's item when the list is empty: any name under it goes unchecked. */
    private static final Object UNKNOWABLE = new Object();

    /** The names loops bind, innermost first: each item, and {@code loop}. */
    private record Scope(String name, Object value, Scope outer) {
    }

    /** One render: the values, the escaper, and where the output goes. */
    private final class Rendering {
        private final Map<String, ?> values;
        private final Escaper escape;

        Rendering(Map<String, ?> values, Escaper escape) {
            this.values = values;
            this.escape = escape;
        }

        /** Renders {@code nodes} into {@code out}, or with {@code out} null only looks up every name in them. */
        void nodes(List<Node> nodes, Scope scope, StringBuilder out) {
            for (Node node : nodes) {
                if (node instanceof Text t) {
                    if (out != null) {
                        out.append(t.text());
                    }
                } else if (node instanceof Value v) {
                    value(v, scope, out);
                } else if (node instanceof If i) {
                    branches(i, scope, out);
                } else {
                    loop((Each) node, scope, out);
                }
            }
        }

        private void value(Value v, Scope scope, StringBuilder out) {
            Object value = lookup(v.name(), v.line(), scope);
            if (value != UNKNOWABLE) {
                String text = single(v.name(), v.line(), value);
                if (out != null) {
                    try {
                        out.append(escape.escape(v.name(), text));
                    } catch (IllegalArgumentException refused) {
                        throw new TemplateException(file, v.line(), refused.getMessage());
                    }
                }
            }
        }

        /** The first branch whose condition holds is rendered; every condition and branch is looked through. */
        private void branches(If node, Scope scope, StringBuilder out) {
            boolean taken = false;
            for (TemplateSyntax.Branch branch : node.branches()) {
                boolean holds = branch.condition().test(operands(branch.line(), scope)) && !taken;
                nodes(branch.body(), scope, holds ? out : null);
                taken |= holds;
            }
            nodes(node.otherwise(), scope, taken ? null : out);
        }

        private void loop(Each node, Scope scope, StringBuilder out) {
            Object list = lookup(node.list(), node.line(), scope);
            if (lookup(node.item(), scope).isPresent()) {
                throw new TemplateException(file, node.line(), "the item of '{{#each " + node.list() + " as "
                        + node.item() + "}}' hides the variable '" + node.item() + "'; give it another name");
            }
            if (list == UNKNOWABLE) {
                nodes(node.body(), itemScope(node, UNKNOWABLE, 0, 1, scope), null);
                return;
            }
            if (!(list instanceof List<?> items)) {
                throw new TemplateException(file, node.line(), "'{{#each}}' needs a list, and '" + node.list()
                        + "' is " + (list instanceof Map<?, ?> ? "a map" : list == null ? "empty" : "a single value"));
            }
            for (int i = 0; i < items.size(); i++) {
                nodes(node.body(), itemScope(node, items.get(i), i, items.size(), scope), out);
            }
            if (items.isEmpty()) {
                nodes(node.body(), itemScope(node, UNKNOWABLE, 0, 1, scope), null);
            }
        }

        private Scope itemScope(Each node, Object item, int index, int size, Scope outer) {
            Map<String, Object> loop = Map.of("index", index + 1, "first", index == 0, "last", index == size - 1);
            return new Scope(node.item(), item, new Scope("loop", loop, outer));
        }

        private TemplateCondition.Operands operands(int line, Scope scope) {
            return new TemplateCondition.Operands() {
                @Override
                public Optional<String> text(String name) {
                    Object value = lookup(name, line, scope);
                    return value == UNKNOWABLE ? Optional.empty() : Optional.of(single(name, line, value));
                }

                @Override
                public Optional<Boolean> truth(String name) {
                    Object value = lookup(name, line, scope);
                    if (value == UNKNOWABLE) {
                        return Optional.empty();
                    }
                    if (!(value instanceof Boolean b)) {
                        throw new TemplateException(file, line, "'" + name + "' is not true or false: compare it,"
                                + " as in {{#if " + name + " == \"…\"}}");
                    }
                    return Optional.of(b);
                }
            };
        }

        /** A loop's binding of the name's first part, if a loop binds it. */
        private Optional<Object> lookup(String first, Scope scope) {
            for (Scope s = scope; s != null; s = s.outer()) {
                if (s.name().equals(first)) {
                    return Optional.of(s.value());
                }
            }
            return values.containsKey(first) ? Optional.of(values.get(first)) : Optional.empty();
        }

        private Object lookup(String name, int line, Scope scope) {
            String[] keys = name.split("\\.");
            Optional<Object> bound = lookup(keys[0], scope);
            if (bound.isEmpty()) {
                TreeSet<String> known = new TreeSet<>();
                values.keySet().forEach(known::add);
                for (Scope s = scope; s != null; s = s.outer()) {
                    known.add(s.name());
                }
                throw new TemplateException(file, line, "unknown variable '" + name + "' (known here: "
                        + String.join(", ", known) + ")");
            }
            Object current = bound.get();
            StringBuilder path = new StringBuilder(keys[0]);
            for (int k = 1; k < keys.length && current != UNKNOWABLE; k++) {
                String key = keys[k];
                if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                    String known = current instanceof Map<?, ?> map ? " (known here: " + String.join(", ",
                            map.keySet().stream().map(String::valueOf).sorted().toList()) + ")" : "";
                    throw new TemplateException(file, line, "unknown variable '" + name + "': '" + path
                            + "' has no '" + key + "'" + known);
                }
                current = map.get(key);
                path.append('.').append(key);
            }
            return current;
        }

        private String single(String name, int line, Object value) {
            if (value instanceof List<?>) {
                throw new TemplateException(file, line, "variable '" + name + "' is a list: loop over it with"
                        + " {{#each " + name + " as item}}");
            }
            if (value instanceof Map<?, ?> || value == null) {
                throw new TemplateException(file, line, "variable '" + name + "' has no single value");
            }
            return String.valueOf(value);
        }
    }
}
