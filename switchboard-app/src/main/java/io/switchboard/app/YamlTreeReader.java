package io.switchboard.app;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Reads YAML text into a {@link YamlNode} tree with the line of every node, through Jackson's
 * streaming YAML parser (Jackson's own tree model forgets positions, and positions are what make a
 * config error fixable). Duplicate keys, aliases and extra documents are reported, not silently
 * resolved: each would make the file mean something other than what it appears to say. A file in
 * the common shape ({@link SimpleYamlScanner}) is scanned without SnakeYAML into the same tokens,
 * about ten times faster; one it gives up on is read through SnakeYAML, so its problems are
 * reported as before.
 *
 * <p>Every value is kept as its text (the sections parse it), so the parser is not asked what YAML
 * type a plain value has, except where the answer can be "null" ({@link TextScalarParser}): that
 * question runs several regular expressions per value and was a fifth of the time spent reading a
 * file of 10,000 servers.
 *
 * <p>Threading: stateless; each call uses its own parser.
 */
final class YamlTreeReader {
    private static final YAMLFactory FACTORY = new TextScalarFactory();
    private static final int SEARCHED_KEYS = 8;

    private YamlTreeReader() {}

    /** The root node, or null when the text has no usable document (the problem is then recorded). */
    static YamlNode read(String text, Problems problems) {
        YamlTokens tokens = SimpleYamlScanner.scan(text);
        if (tokens == null) return readWithSnakeYaml(text, problems);
        try {
            return readValue(tokens, tokens.next(), KeyPath.ROOT, new HashMap<>(), problems);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the scanner's tokens are in memory
        }
    }

    /** Through SnakeYAML, whatever the text: the only reader for what {@link SimpleYamlScanner} gives up on. */
    static YamlNode readWithSnakeYaml(String text, Problems problems) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            ParserTokens tokens = new ParserTokens(parser);
            JsonToken first = tokens.next();
            if (first == null) {
                problems.error(0, 0, "", "the file has no content (expected at least 'listeners:' and 'pools:')");
                return null;
            }
            YamlNode root = readValue(tokens, first, KeyPath.ROOT, new HashMap<>(), problems);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                JsonLocation at = parser.currentTokenLocation();
                problems.error(at.getLineNr(), at.getColumnNr(), "",
                        "a second YAML document starts here; a config file holds exactly one (remove the '---')");
            }
            return root;
        } catch (StreamReadException e) {
            syntaxError(e, problems);
            return null;
        } catch (IOException e) {
            problems.error(0, 0, "", "cannot parse: " + e.getMessage());
            return null;
        }
    }

    /**
     * @param keys one instance of each key text read so far: 10,000 servers repeat three keys 10,000
     *     times, and the checks that follow compare and look up keys many times each; a few strings
     *     that stay in the CPU's cache serve them faster than 30,000 copies that have left it
     */
    private static YamlNode readValue(Tokens p, JsonToken token, KeyPath path, Map<String, String> keys, Problems problems)
            throws IOException {
        int line = p.line();
        int column = p.column();
        switch (token) {
            case START_OBJECT -> {
                List<YamlNode.Entry> entries = new ArrayList<>(4);
                Map<String, YamlNode.Entry> byKey = null; // for long mappings only; short ones are searched
                JsonToken t;
                while ((t = p.next()) == JsonToken.FIELD_NAME) {
                    String name = p.text();
                    String key = keys.putIfAbsent(name, name);
                    if (key == null) key = name;
                    int keyLine = p.line();
                    int keyColumn = p.column();
                    KeyPath childPath = path.child(key);
                    YamlNode value = readValue(p, p.next(), childPath, keys, problems);
                    YamlNode.Entry previous = byKey != null ? byKey.get(key) : find(entries, key);
                    if (previous != null) {
                        problems.error(keyLine, keyColumn, childPath.toString(),
                                "duplicate key (first given at line " + previous.line() + ")");
                        continue;
                    }
                    YamlNode.Entry entry = new YamlNode.Entry(key, keyLine, keyColumn, value);
                    entries.add(entry);
                    if (byKey != null) {
                        byKey.put(key, entry);
                    } else if (entries.size() > SEARCHED_KEYS) {
                        byKey = new HashMap<>();
                        for (YamlNode.Entry e : entries) byKey.put(e.key(), e);
                    }
                }
                return new YamlNode.Mapping(new YamlEntries(entries.toArray(new YamlNode.Entry[0])), line, column);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                JsonToken t;
                while ((t = p.next()) != JsonToken.END_ARRAY) {
                    items.add(readValue(p, t, path.item(items.size()), keys, problems));
                }
                return new YamlNode.Sequence(List.copyOf(items), line, column);
            }
            case VALUE_NULL -> {
                return new YamlNode.Scalar(null, line, column);
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                if (p.alias()) {
                    problems.error(line, column, path.toString(), "YAML aliases (*" + p.text() + ") are not supported; write the value out");
                    return new YamlNode.Scalar(null, true, line, column);
                }
                return new YamlNode.Scalar(p.text(), line, column);
            }
            default -> {
                problems.error(line, column, path.toString(), "unsupported YAML value (" + token + ")");
                return new YamlNode.Scalar(null, true, line, column);
            }
        }
    }

    /**
     * The tokens a tree is built from, each with where it starts: SnakeYAML's through Jackson, or
     * {@link SimpleYamlScanner}'s.
     */
    interface Tokens {
        /** Moves to the next token; null after the last. */
        JsonToken next() throws IOException;

        /** 1-based line of the current token. */
        int line();

        /** 1-based column of the current token. */
        int column();

        /** A key's or a value's text. */
        String text() throws IOException;

        /** The current value is an alias ({@code *name}). */
        boolean alias();
    }

    /** Jackson's parser as {@link Tokens}; the position is asked once per token, when needed. */
    private static final class ParserTokens implements Tokens {
        private final JsonParser parser;
        private JsonLocation at;

        ParserTokens(JsonParser parser) {
            this.parser = parser;
        }

        @Override
        public JsonToken next() throws IOException {
            at = null;
            return parser.nextToken();
        }

        private JsonLocation at() {
            if (at == null) at = parser.currentTokenLocation();
            return at;
        }

        @Override
        public int line() {
            return at().getLineNr();
        }

        @Override
        public int column() {
            return at().getColumnNr();
        }

        @Override
        public String text() throws IOException {
            return parser.getText();
        }

        @Override
        public boolean alias() {
            return parser instanceof YAMLParser yaml && yaml.isCurrentAlias();
        }
    }

    private static YamlNode.Entry find(List<YamlNode.Entry> entries, String key) {
        for (YamlNode.Entry e : entries) if (e.key().equals(key)) return e;
        return null;
    }

    /**
     * Where a node is ({@code pools.app.servers[3].name}), spelled out only when a problem names it: a file
     * of 10,000 servers has 40,000 nodes and, usually, no problem.
     */
    private record KeyPath(KeyPath parent, String key, int index) {
        static final KeyPath ROOT = new KeyPath(null, null, -1);

        KeyPath child(String k) {
            return new KeyPath(this, k, -1);
        }

        KeyPath item(int i) {
            return new KeyPath(this, null, i);
        }

        @Override
        public String toString() {
            return append(new StringBuilder()).toString();
        }

        private StringBuilder append(StringBuilder sb) {
            if (parent == null) return sb;
            parent.append(sb);
            if (key == null) return sb.append('[').append(index).append(']');
            return (sb.isEmpty() ? sb : sb.append('.')).append(key);
        }
    }

    /**
     * Jackson's YAML factory, making {@link TextScalarParser}s. SnakeYAML refuses a document of more
     * than 3 MiB code points by default, which a pool of 50,000 servers written one per line passes;
     * the limit here is {@value #MAX_CODE_POINTS}.
     */
    private static final class TextScalarFactory extends YAMLFactory {
        static final int MAX_CODE_POINTS = 32 * 1024 * 1024;

        TextScalarFactory() {
            super(YAMLFactory.builder().loaderOptions(loaderOptions()));
        }

        private static LoaderOptions loaderOptions() {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_CODE_POINTS);
            return options;
        }

        @Override
        protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
            return new TextScalarParser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    }

    /**
     * Jackson's YAML parser that reports a value as a string without resolving its YAML type, unless
     * the value could resolve to null (empty, or starting with {@code ~}, {@code n}, {@code N} or a
     * space: the only first characters of YAML 1.1's null forms) or carries a tag; those go through
     * Jackson's own resolution, as before. The text of a value is
     * the same either way ({@link JsonParser#getText()}), and the text is all {@link YamlTreeReader}
     * reads.
     */
    private static final class TextScalarParser extends YAMLParser {
        TextScalarParser(IOContext ctxt, int parserFeatures, int yamlFeatures, LoaderOptions options,
                         ObjectCodec codec, Reader reader) {
            super(ctxt, parserFeatures, yamlFeatures, options, codec, reader);
        }

        @Override
        protected JsonToken _decodeScalar(ScalarEvent scalar) throws IOException {
            String value = scalar.getValue();
            String tag = scalar.getTag();
            if ((tag == null || tag.equals("!")) && !value.isEmpty() && "~nN ".indexOf(value.charAt(0)) < 0) {
                _textValue = value;
                _cleanedTextValue = null;
                return JsonToken.VALUE_STRING;
            }
            return super._decodeScalar(scalar);
        }
    }

    /**
     * SnakeYAML's own message spans several lines with a caret drawing; a person needs the problem,
     * where it is, and what construct it interrupted.
     */
    private static void syntaxError(StreamReadException e, Problems problems) {
        Throwable cause = e.getCause();
        if (cause instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            StringBuilder msg = new StringBuilder("YAML syntax error: ").append(m.getProblem());
            if (m.getProblem() != null && m.getProblem().startsWith("expected <block end>")) {
                msg.append(" (check the indentation of this line)");
            }
            if (m.getContext() != null && m.getContextMark() != null) {
                msg.append(" (").append(m.getContext()).append(" that starts at line ")
                        .append(m.getContextMark().getLine() + 1).append(')');
            }
            problems.error(m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1, "", msg.toString());
            return;
        }
        JsonLocation at = e.getLocation();
        String msg = e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        if (nl > 0) msg = msg.substring(0, nl);
        problems.error(at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), "", "YAML syntax error: " + msg);
    }
}
