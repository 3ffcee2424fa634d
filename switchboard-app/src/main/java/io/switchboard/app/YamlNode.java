package io.switchboard.app;

import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers where every node came from, so that each config error
 * can name its line. Immutable; built by {@link YamlTreeReader}.
 */
sealed interface YamlNode {
    /** 1-based line where the node starts. */
    int line();

    /** 1-based column where the node starts. */
    int column();

    /** For messages: "a value", "a list", "a mapping". */
    String kind();

    /**
     * A plain value. {@code text} is null for an empty value ({@code key:}, {@code ~} or {@code ""}).
     * {@code broken} when the reader already reported what is wrong with it (an alias): readers then
     * skip it silently rather than report a second, confusing problem.
     */
    record Scalar(String text, boolean broken, int line, int column) implements YamlNode {
        Scalar(String text, int line, int column) {
            this(text == null || text.isEmpty() ? null : text, false, line, column);
        }

        public boolean isEmpty() {
            return text == null;
        }

        @Override
        public String kind() {
            return isEmpty() ? "an empty value" : "a value";
        }
    }

    /** {@code key: value} pairs in file order; the entry keeps the key's own position. */
    record Mapping(Map<String, Entry> entries, int line, int column) implements YamlNode {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record Entry(String key, int line, int column, YamlNode value) {}

    record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }
}
