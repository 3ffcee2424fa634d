package io.switchboard.app;

import io.switchboard.config.DurationSyntax;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.SizeSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One YAML mapping being read as part of the config, with its key path ({@code pools.app.health}).
 * Every getter records a problem and returns the default instead of throwing, so that one pass over
 * the file finds every mistake. Unknown keys are reported when the section is opened, with the
 * closest allowed key when one is near.
 *
 * <p>Not thread-safe: lives for one load.
 */
final class Section {
    private final YamlNode.Mapping mapping; // null when the section is absent or empty
    private final String path;
    private final int line;
    private final int column;
    private final Problems problems;

    private Section(YamlNode.Mapping mapping, String path, int line, int column, Problems problems) {
        this.mapping = mapping;
        this.path = path;
        this.line = line;
        this.column = column;
        this.problems = problems;
    }

    /**
     * @param node the mapping, or null/empty for a section that is absent (its keys take defaults)
     * @param line where to point errors about keys missing from an absent section
     */
    static Section open(YamlNode node, String path, int line, int column, Problems problems, List<String> allowed) {
        if (node == null || node instanceof YamlNode.Scalar s && s.isEmpty()) {
            return new Section(null, path, line, column, problems);
        }
        if (!(node instanceof YamlNode.Mapping m)) {
            problems.error(node, path, "expected a mapping of " + String.join(", ", allowed) + "; found " + node.kind());
            return new Section(null, path, node.line(), node.column(), problems);
        }
        for (YamlNode.Entry e : m.entries().values()) {
            if (!allowed.contains(e.key())) {
                problems.error(e.line(), e.column(), keyPath(path, e.key()),
                        "unknown key '" + e.key() + "'" + Spelling.suggestion(e.key(), allowed)
                                + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return new Section(m, path, m.line(), m.column(), problems);
    }

    String path() { return path; }
    int line() { return line; }
    int column() { return column; }
    Problems problems() { return problems; }

    String keyPath(String key) {
        return keyPath(path, key);
    }

    static String keyPath(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return mapping != null && mapping.entries().containsKey(key);
    }

    YamlNode.Entry entry(String key) {
        return mapping == null ? null : mapping.entries().get(key);
    }

    /** Present keys among {@code keys}, in file order. */
    List<String> present(List<String> keys) {
        List<String> out = new ArrayList<>();
        if (mapping == null) return out;
        for (String k : mapping.entries().keySet()) if (keys.contains(k)) out.add(k);
        return out;
    }

    /** A nested mapping; absent or empty means "all defaults". */
    Section section(String key, List<String> allowed) {
        YamlNode.Entry e = entry(key);
        if (e == null) return new Section(null, keyPath(key), line, column, problems);
        return open(e.value(), keyPath(key), e.line(), e.column(), problems, allowed);
    }

    /** A list; null when absent. An empty value reads as an empty list. */
    YamlNode.Sequence list(String key) {
        YamlNode.Entry e = entry(key);
        if (e == null) return null;
        return switch (e.value()) {
            case YamlNode.Sequence s -> s;
            case YamlNode.Scalar s when s.isEmpty() -> new YamlNode.Sequence(List.of(), s.line(), s.column());
            default -> {
                problems.error(e.value(), keyPath(key), "expected a list (lines starting with '- '); found " + e.value().kind());
                yield null;
            }
        };
    }

    /** A scalar parsed by {@code parse}, whose IllegalArgumentException message becomes the problem. */
    <T> T value(String key, T dflt, Function<String, T> parse) {
        YamlNode.Entry e = entry(key);
        if (e == null) return dflt;
        return parse(e, dflt, parse);
    }

    /** Like {@link #value} but the key must be there; null (and a recorded error) when it is not. */
    <T> T required(String key, String hint, Function<String, T> parse) {
        YamlNode.Entry e = entry(key);
        if (e == null) {
            problems.error(line, column, keyPath(key), "required key is missing" + (hint.isEmpty() ? "" : " (" + hint + ")"));
            return null;
        }
        return parse(e, null, parse);
    }

    private <T> T parse(YamlNode.Entry e, T dflt, Function<String, T> parse) {
        if (!(e.value() instanceof YamlNode.Scalar s)) {
            problems.error(e.value(), keyPath(e.key()), "expected a single value; found " + e.value().kind());
            return dflt;
        }
        if (s.broken()) return dflt;
        if (s.isEmpty()) {
            problems.error(e.line(), e.column(), keyPath(e.key()), "has no value (give one, or remove the key to use the default)");
            return dflt;
        }
        try {
            return parse.apply(s.text());
        } catch (IllegalArgumentException ex) {
            problems.error(s, keyPath(e.key()), ex.getMessage());
            return dflt;
        }
    }

    int integer(String key, int dflt, int min, int max) {
        return value(key, dflt, s -> IntegerSyntax.parse(s, min, max));
    }

    long size(String key, long dflt, long min, long max) {
        return value(key, dflt, s -> {
            long v = SizeSyntax.parse(s);
            if (v < min || v > max) {
                throw new IllegalArgumentException(s + " is out of range (allowed: " + SizeSyntax.format(min) + "-" + SizeSyntax.format(max) + ")");
            }
            return v;
        });
    }

    /** @param positive true when 0 is not allowed (timeouts, intervals) */
    Duration duration(String key, Duration dflt, boolean positive) {
        return value(key, dflt, s -> {
            Duration d = DurationSyntax.parse(s);
            if (positive && d.isZero()) throw new IllegalArgumentException("'" + s + "' must be more than 0");
            return d;
        });
    }

    boolean bool(String key, boolean dflt) {
        return value(key, dflt, s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not a boolean (allowed: true, false)");
        });
    }

    /** One of a fixed set of words; {@code allowed} in the order the message lists them. */
    <T> T choice(String key, T dflt, Map<String, T> allowed) {
        return value(key, dflt, s -> oneOf(s, allowed));
    }

    static <T> T oneOf(String s, Map<String, T> allowed) {
        T v = allowed.get(s.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException("unknown value '" + s + "'" + Spelling.suggestion(s, allowed.keySet())
                    + " (allowed: " + String.join(", ", allowed.keySet()) + ")");
        }
        return v;
    }

}
