package org.bootferry.boot;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.bootferry.lang.Spelling;

/**
 * A template's text as a tree of {@link Node}s: literal text, {@code {{ name }}}, {@code {{#if}}}
 * with its {@code {{else if}}} and {@code {{else}}} branches, {@code {{#each … as …}}}. Every error
 * names the file and the line of the tag at fault.
 *
 * <p>A section tag ({@code #if}, {@code else}, {@code /if}, {@code #each}, {@code /each}) alone on its
 * line, but for spaces and tabs, takes the whole line with it, line break included: the Mustache
 * spec's "standalone lines" (specs/sections.yml). A kickstart keeps its shape whichever branch is taken.
 */
final class TemplateSyntax {

    /** A piece of a template. */
    sealed interface Node {
    }

    /** Text copied as it is. */
    record Text(String text) implements Node {
    }

    /** {@code {{ name }}}: a variable's value. */
    record Value(String name, int line) implements Node {
    }

    /** {@code {{#if}}}: the body of the first branch whose condition holds, else {@code otherwise}. */
    record If(List<Branch> branches, List<Node> otherwise) implements Node {
    }

    /** One {@code {{#if c}}} or {@code {{else if c}}} (on {@code line}) and what follows it up to the next. */
    record Branch(TemplateCondition condition, int line, List<Node> body) {
    }

    /** {@code {{#each list as item}}}: the body once per item of {@code list}, {@code item} bound to it. */
    record Each(String list, String item, List<Node> body, int line) implements Node {
    }

    private static final List<String> SECTIONS = List.of("#if", "else", "/if", "#each", "/each");
    private static final String LOOP = "loop";
    /** Sections nest at most this deep: rendering recurses once per level. */
    static final int MAX_DEPTH = 64;

    private final Path file;
    private final String text;

    private TemplateSyntax(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    /** The nodes of {@code text}; {@code file} names it in errors. */
    static List<Node> parse(Path file, String text) {
        return new TemplateSyntax(file, text).nodes();
    }

    /** A {@code {{ … }}} tag: where it starts and ends in the text, its line, what it holds (trimmed). */
    private record Tag(int start, int end, int line, String content) {
        boolean section() {
            return content.startsWith("#") || content.startsWith("/") || content.equals("else")
                    || content.startsWith("else ");
        }
    }

    /** An open section while its body is read. */
    private static final class Open {
        final Tag tag;
        final List<Branch> branches = new ArrayList<>();
        TemplateCondition condition;
        int conditionLine;
        List<Node> body = new ArrayList<>();
        Tag elseTag;
        String list;
        String item;

        Open(Tag tag, TemplateCondition condition) {
            this.tag = tag;
            this.condition = condition;
            this.conditionLine = tag.line();
        }

        boolean isIf() {
            return tag.content().startsWith("#if");
        }
    }

    private List<Node> nodes() {
        List<Node> top = new ArrayList<>();
        Deque<Open> open = new ArrayDeque<>();
        int copied = 0;
        for (Tag tag : tags()) {
            int cutStart = tag.start();
            int cutEnd = tag.end();
            if (tag.section()) {
                int lineStart = text.lastIndexOf('\n', tag.start() - 1) + 1;
                int lineEnd = text.indexOf('\n', tag.end());
                lineEnd = lineEnd < 0 ? text.length() : lineEnd + 1;
                if (lineStart >= copied && text.substring(lineStart, tag.start()).isBlank()
                        && text.substring(tag.end(), lineEnd).isBlank()) {
                    cutStart = lineStart;
                    cutEnd = lineEnd;
                }
            }
            List<Node> into = open.isEmpty() ? top : open.peek().body;
            if (cutStart > copied) {
                into.add(new Text(text.substring(copied, cutStart)));
            }
            copied = cutEnd;
            if (tag.section()) {
                section(tag, open, top);
            } else {
                into.add(new Value(name(tag), tag.line()));
            }
        }
        if (!open.isEmpty()) {
            Open unclosed = open.peek();
            String kind = unclosed.isIf() ? "if" : "each";
            throw error(unclosed.tag, "'{{#" + kind + "}}' is never closed with '{{/" + kind + "}}'");
        }
        if (copied < text.length()) {
            top.add(new Text(text.substring(copied)));
        }
        return List.copyOf(top);
    }

    /** Every tag in order; one not closed before the next one opens is an error. */
    private List<Tag> tags() {
        List<Tag> tags = new ArrayList<>();
        int line = 1;
        int lineCounted = 0;
        int from = 0;
        while (true) {
            int start = text.indexOf("{{", from);
            if (start < 0) {
                return tags;
            }
            for (; lineCounted < start; lineCounted++) {
                if (text.charAt(lineCounted) == '\n') {
                    line++;
                }
            }
            int end = text.indexOf("}}", start + 2);
            int next = text.indexOf("{{", start + 2);
            if (end < 0 || next >= 0 && next < end) {
                throw new TemplateException(file, line, "'{{' is never closed with '}}'");
            }
            String content = text.substring(start + 2, end);
            if (content.indexOf('{') >= 0 || content.indexOf('}') >= 0) {
                throw new TemplateException(file, line, "a '{{ }}' here holds no variable name"
                        + " (write e.g. {{hostname}} or {{vars.timezone}})");
            }
            tags.add(new Tag(start, end + 2, line, content.strip()));
            from = end + 2;
        }
    }

    private void section(Tag tag, Deque<Open> open, List<Node> top) {
        String content = tag.content();
        String keyword = content.split("\\s+", 2)[0];
        String rest = content.substring(keyword.length()).strip();
        if (keyword.startsWith("#") && open.size() == MAX_DEPTH) {
            throw error(tag, "sections nest more than " + MAX_DEPTH + " deep here");
        }
        switch (keyword) {
            case "#if" -> open.push(new Open(tag, TemplateCondition.parse(file, tag.line(), rest)));
            case "#each" -> open.push(each(tag, rest));
            case "else" -> elseTag(tag, rest, open);
            case "/if", "/each" -> {
                if (!rest.isEmpty()) {
                    throw error(tag, "'{{" + keyword + "}}' takes nothing after it");
                }
                Open closed = open.poll();
                if (closed == null) {
                    throw error(tag, "'{{" + keyword + "}}' closes nothing");
                }
                String opened = closed.isIf() ? "/if" : "/each";
                if (!opened.equals(keyword)) {
                    throw error(tag, "'{{" + keyword + "}}' closes the '{{#" + opened.substring(1) + "}}' of line "
                            + closed.tag.line() + "; close it with '{{" + opened + "}}' first");
                }
                (open.isEmpty() ? top : open.peek().body).add(closed.isIf() ? ifNode(closed) : eachNode(closed));
            }
            default -> throw error(tag, "unknown section '" + keyword + "'"
                    + Spelling.didYouMean(keyword, SECTIONS) + "; sections are {{#if …}}, {{else if …}}, {{else}},"
                    + " {{/if}}, {{#each … as …}}, {{/each}}");
        }
    }

    private void elseTag(Tag tag, String rest, Deque<Open> open) {
        Open section = open.peek();
        if (section == null || !section.isIf()) {
            throw error(tag, "'{{else}}' outside an '{{#if}}'");
        }
        if (section.elseTag != null) {
            throw error(tag, "'{{#if}}' of line " + section.tag.line() + " has its '{{else}}' on line "
                    + section.elseTag.line() + " already");
        }
        section.branches.add(new Branch(section.condition, section.conditionLine, List.copyOf(section.body)));
        section.body = new ArrayList<>();
        if (rest.isEmpty()) {
            section.elseTag = tag;
            section.condition = null;
        } else if (rest.startsWith("if ") || rest.equals("if")) {
            section.condition = TemplateCondition.parse(file, tag.line(), rest.substring(2).strip());
            section.conditionLine = tag.line();
        } else {
            throw error(tag, "'{{else}}' takes nothing after it but 'if' and a condition");
        }
    }

    private If ifNode(Open closed) {
        List<Node> otherwise = List.copyOf(closed.body);
        if (closed.elseTag == null) {
            closed.branches.add(new Branch(closed.condition, closed.conditionLine, otherwise));
            otherwise = List.of();
        }
        return new If(List.copyOf(closed.branches), otherwise);
    }

    private Open each(Tag tag, String rest) {
        String[] words = rest.split("\\s+");
        if (words.length != 3 || !words[1].equals("as") || !TemplateCondition.isName(words[0])) {
            throw error(tag, "write a loop as '{{#each vars.disks as disk}}': a list, 'as', and a name for its item");
        }
        String item = words[2];
        if (!TemplateCondition.isName(item) || item.contains(".") || item.equals(LOOP)) {
            throw error(tag, "the item of '{{#each}}' needs a name without dots other than '" + LOOP
                    + "' (which names the loop's own index, first and last)");
        }
        Open each = new Open(tag, null);
        each.list = words[0];
        each.item = item;
        return each;
    }

    private Each eachNode(Open closed) {
        return new Each(closed.list, closed.item, List.copyOf(closed.body), closed.tag.line());
    }

    private String name(Tag tag) {
        if (!TemplateCondition.isName(tag.content())) {
            // The text between the braces is not repeated: it may be a value pasted in by mistake.
            throw error(tag, "a '{{ }}' here holds no variable name (write e.g. {{hostname}} or {{vars.timezone}})");
        }
        return tag.content();
    }

    private TemplateException error(Tag tag, String message) {
        return new TemplateException(file, tag.line(), message);
    }
}
