package io.switchboard.app;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text into a {@link YamlNode} tree with the line of every node, through Jackson's
 * streaming YAML parser (Jackson's own tree model forgets positions, and positions are what make a
 * config error fixable). Duplicate keys, aliases and extra documents are reported, not silently
 * resolved: each would make the file mean something other than what it appears to say.
 *
 * <p>Threading: stateless; each call uses its own parser.
 */
final class YamlTreeReader {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private YamlTreeReader() {}

    /** The root node, or null when the text has no usable document (the problem is then recorded). */
    static YamlNode read(String text, Problems problems) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.error(0, 0, "", "the file has no content (expected at least 'listeners:' and 'pools:')");
                return null;
            }
            YamlNode root = readValue(parser, first, "", problems);
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

    private static YamlNode readValue(JsonParser p, JsonToken token, String path, Problems problems) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        switch (token) {
            case START_OBJECT -> {
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation keyAt = p.currentTokenLocation();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    YamlNode value = readValue(p, p.nextToken(), childPath, problems);
                    YamlNode.Entry previous = entries.get(key);
                    if (previous != null) {
                        problems.error(keyAt.getLineNr(), keyAt.getColumnNr(), childPath,
                                "duplicate key (first given at line " + previous.line() + ")");
                        continue;
                    }
                    entries.put(key, new YamlNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), value));
                }
                return new YamlNode.Mapping(Collections.unmodifiableMap(entries), line, column);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(readValue(p, t, path + "[" + items.size() + "]", problems));
                }
                return new YamlNode.Sequence(List.copyOf(items), line, column);
            }
            case VALUE_NULL -> {
                return new YamlNode.Scalar(null, line, column);
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    problems.error(line, column, path, "YAML aliases (*" + p.getText() + ") are not supported; write the value out");
                    return new YamlNode.Scalar(null, true, line, column);
                }
                return new YamlNode.Scalar(p.getText(), line, column);
            }
            default -> {
                problems.error(line, column, path, "unsupported YAML value (" + token + ")");
                return new YamlNode.Scalar(null, true, line, column);
            }
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
