package io.switchboard.app;

import com.fasterxml.jackson.core.JsonToken;
import java.util.Arrays;

/**
 * Reads the shape most config files have (block mappings and lists, one-line {@code {...}} and
 * {@code [...]}, plain and simply quoted values, comments) into the tokens SnakeYAML would give for
 * it, about ten times faster: SnakeYAML's scanner was three quarters of a 10,000-server reload.
 * Anything outside that shape, however valid, gives up (null), and {@link YamlTreeReader} reads the
 * file with SnakeYAML as before; so every syntax error, and every construct this class does not know
 * (anchors, tags, block scalars, escapes, multi-line values, tabs, non-ASCII text), is SnakeYAML's.
 * A value is given up on, not guessed, whenever SnakeYAML's reading of it could differ from the one
 * here; {@code SimpleYamlScannerTest} compares the two trees, lines and columns included, over the
 * repository's files and many variants of them.
 *
 * <p>Positions are SnakeYAML's, as Jackson reports them: 1-based line and column of a scalar's first
 * character (its quote), a flow collection's bracket, a block mapping's first key, a block list's
 * first {@code -}, and for an empty value ({@code key:}) the column after the colon.
 *
 * <p>Threading: one instance per text; {@link #scan} makes it.
 */
final class SimpleYamlScanner {
    /** Deeper than any config; SnakeYAML and Jackson have their own limits, checked on its path. */
    private static final int MAX_DEPTH = 64;
    /** SnakeYAML allows a simple key of at most 1024 characters. */
    private static final int MAX_KEY = 1000;
    /** Far below SnakeYAML's document limit ({@link YamlTreeReader}), so that never applies here. */
    private static final int MAX_LENGTH = 8 * 1024 * 1024;

    private final String s;
    private final int length;
    private final YamlTokens out = new YamlTokens();
    private int p; // the next character
    private int lineStart; // of the line p is in
    private int lineEnd; // its '\n' or the end of the text
    private int lineNo = 1;
    private int indent; // of the current content line; -1 at the end of the text
    private int depth;

    private SimpleYamlScanner(String s) {
        this.s = s;
        this.length = s.length();
    }

    /** The tokens of {@code text}, or null when it is not in the shape this class reads. */
    static YamlTokens scan(String text) {
        if (text.length() > MAX_LENGTH || !printableAscii(text)) return null;
        try {
            SimpleYamlScanner scanner = new SimpleYamlScanner(text);
            return scanner.document() ? scanner.out : null;
        } catch (GiveUp e) {
            return null;
        }
    }

    private static boolean printableAscii(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if ((c < ' ' || c > '~') && c != '\n') return false;
        }
        return true;
    }

    private boolean document() {
        lineEnd = lineEnd(0);
        if (!toContent()) return false; // empty: SnakeYAML's path reports it
        if (indent != 0 || !atKey()) return false;
        blockMapping(0);
        return indent < 0;
    }

    // ---- lines ---------------------------------------------------------------------------------

    private int lineEnd(int from) {
        int i = s.indexOf('\n', from);
        return i < 0 ? length : i;
    }

    /**
     * From p (the start of a line), past blank and comment lines to the first content of a line,
     * setting indent; false (indent -1) at the end of the text.
     */
    private boolean toContent() {
        while (true) {
            int i = p;
            while (i < lineEnd && s.charAt(i) == ' ') i++;
            if (i < lineEnd && s.charAt(i) != '#') {
                indent = i - lineStart;
                p = i;
                // a document marker or a directive: SnakeYAML's
                if (indent == 0 && (s.startsWith("---", i) || s.startsWith("...", i) || s.charAt(i) == '%')) throw GiveUp.INSTANCE;
                return true;
            }
            if (lineEnd >= length) {
                indent = -1;
                p = length;
                return false;
            }
            p = lineStart = lineEnd + 1;
            lineEnd = lineEnd(p);
            lineNo++;
        }
    }

    /** After a value: only spaces and a comment may follow on its line; then to the next content. */
    private void endLine() {
        int i = p;
        while (i < lineEnd && s.charAt(i) == ' ') i++;
        if (i < lineEnd && (s.charAt(i) != '#' || i == p)) throw GiveUp.INSTANCE;
        nextLine();
    }

    private void nextLine() {
        if (lineEnd >= length) {
            indent = -1;
            p = length;
            return;
        }
        p = lineStart = lineEnd + 1;
        lineEnd = lineEnd(p);
        lineNo++;
        toContent();
    }

    private int column() {
        return p - lineStart;
    }

    private void skipSpaces() {
        while (p < lineEnd && s.charAt(p) == ' ') p++;
    }

    /** At the end of the line's content: its end, or a comment after a space. */
    private boolean atLineEnd() {
        return p >= lineEnd || s.charAt(p) == '#' && p > lineStart && s.charAt(p - 1) == ' ';
    }

    // ---- block collections ---------------------------------------------------------------------

    /** p is at a key at column {@code col}; returns at the first content line indented less, or the end. */
    private void blockMapping(int col) {
        enter();
        out.add(JsonToken.START_OBJECT, lineNo, col, null);
        while (true) {
            int keyColumn = column();
            String key = key();
            out.add(JsonToken.FIELD_NAME, lineNo, keyColumn, key);
            int colonColumn = column();
            p++; // ':'
            skipSpaces();
            if (atLineEnd()) {
                int keyLine = lineNo;
                nextLine();
                if (indent > col) {
                    blockNode();
                } else if (indent == col && atEntry()) {
                    blockList(col); // "key:" then "- item" at the key's column
                } else {
                    out.add(JsonToken.VALUE_NULL, keyLine, colonColumn + 1, null);
                }
            } else {
                inlineValue();
                endLine();
            }
            if (indent < col) break;
            if (indent > col || !atKey()) throw GiveUp.INSTANCE;
        }
        out.add(JsonToken.END_OBJECT, 0, 0, null);
        depth--;
    }

    /** A block collection on a line of its own, more indented than its key. */
    private void blockNode() {
        if (atEntry()) {
            blockList(indent);
        } else if (atKey()) {
            blockMapping(indent);
        } else {
            throw GiveUp.INSTANCE; // a value on the next line, or broken indentation
        }
    }

    /** p is at a "- " at column {@code col}. */
    private void blockList(int col) {
        enter();
        out.add(JsonToken.START_ARRAY, lineNo, col, null);
        while (true) {
            p++; // '-'
            skipSpaces();
            if (atLineEnd() || atEntry()) throw GiveUp.INSTANCE; // the item on the next lines, or a list in a list
            if (atKey()) {
                blockMapping(column());
            } else {
                inlineValue();
                endLine();
            }
            if (indent < col) break;
            if (indent > col) throw GiveUp.INSTANCE;
            if (!atEntry()) break; // the next key of the mapping this list is the value of (or broken: the caller checks)
        }
        out.add(JsonToken.END_ARRAY, 0, 0, null);
        depth--;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw GiveUp.INSTANCE;
    }

    private boolean atEntry() {
        return p < lineEnd && s.charAt(p) == '-' && (p + 1 == lineEnd || s.charAt(p + 1) == ' ');
    }

    /** At a key this class reads: key characters, then ':' and a space or the line's end. */
    private boolean atKey() {
        int i = p;
        if (i >= lineEnd || !keyStart(s.charAt(i))) return false;
        while (i < lineEnd && keyPart(s.charAt(i))) i++;
        return i < lineEnd && s.charAt(i) == ':' && (i + 1 == lineEnd || s.charAt(i + 1) == ' ');
    }

    /** Reads a key and stops at its ':'. */
    private String key() {
        int start = p;
        if (p >= lineEnd || !keyStart(s.charAt(p))) throw GiveUp.INSTANCE;
        while (p < lineEnd && keyPart(s.charAt(p))) p++;
        if (p - start > MAX_KEY || p >= lineEnd || s.charAt(p) != ':') throw GiveUp.INSTANCE;
        return s.substring(start, p);
    }

    private static boolean keyStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/';
    }

    private static boolean keyPart(char c) {
        return keyStart(c) || c == '-' || c == '.' || c == '+';
    }

    // ---- values --------------------------------------------------------------------------------

    /** A value that starts and ends on this line, in block context. */
    private void inlineValue() {
        char c = s.charAt(p);
        if (c == '{') {
            flowMapping();
        } else if (c == '[') {
            flowList();
        } else if (c == '"' || c == '\'') {
            quoted(c);
        } else {
            plain(false);
        }
    }

    private void flowMapping() {
        enter();
        out.add(JsonToken.START_OBJECT, lineNo, column(), null);
        p++;
        skipSpaces();
        if (p < lineEnd && s.charAt(p) == '}') {
            p++;
        } else {
            while (true) {
                int keyColumn = column();
                String key = key();
                out.add(JsonToken.FIELD_NAME, lineNo, keyColumn, key);
                p++; // ':'
                if (p >= lineEnd || s.charAt(p) != ' ') throw GiveUp.INSTANCE;
                skipSpaces();
                flowValue();
                if (endOfFlowEntry('}')) break;
            }
        }
        out.add(JsonToken.END_OBJECT, 0, 0, null);
        depth--;
    }

    private void flowList() {
        enter();
        out.add(JsonToken.START_ARRAY, lineNo, column(), null);
        p++;
        skipSpaces();
        if (p < lineEnd && s.charAt(p) == ']') {
            p++;
        } else {
            while (true) {
                flowValue();
                if (endOfFlowEntry(']')) break;
            }
        }
        out.add(JsonToken.END_ARRAY, 0, 0, null);
        depth--;
    }

    /** After an entry: ", " and another (true: more), or the closing bracket (false: done). */
    private boolean endOfFlowEntry(char close) {
        skipSpaces();
        if (p >= lineEnd) throw GiveUp.INSTANCE;
        char c = s.charAt(p++);
        if (c == close) return true;
        if (c != ',') throw GiveUp.INSTANCE;
        skipSpaces();
        if (p >= lineEnd || s.charAt(p) == close || s.charAt(p) == ',') throw GiveUp.INSTANCE;
        return false;
    }

    private void flowValue() {
        if (p >= lineEnd) throw GiveUp.INSTANCE;
        char c = s.charAt(p);
        if (c == '{') {
            flowMapping();
        } else if (c == '[') {
            flowList();
        } else if (c == '"' || c == '\'') {
            quoted(c);
        } else {
            plain(true);
        }
    }

    /** A quoted value closed on this line, without escapes ({@code \} or {@code ''}). */
    private void quoted(char quote) {
        int column = column();
        int close = s.indexOf(quote, p + 1);
        if (close < 0 || close >= lineEnd) throw GiveUp.INSTANCE;
        if (quote == '"' ? s.lastIndexOf('\\', close) > p : close + 1 < lineEnd && s.charAt(close + 1) == '\'') {
            throw GiveUp.INSTANCE;
        }
        String text = s.substring(p + 1, close);
        p = close + 1;
        if (p < lineEnd && s.charAt(p) != ' ' && s.charAt(p) != ',' && s.charAt(p) != '}' && s.charAt(p) != ']') throw GiveUp.INSTANCE;
        out.add(JsonToken.VALUE_STRING, lineNo, column, text);
    }

    /**
     * A plain value, in SnakeYAML's chunks: runs of non-space characters joined by the spaces between
     * them, ended by the line's end or a comment (or in a flow collection by ',', ']' or '}'), trailing
     * spaces dropped. What would make it a key, a multi-line value or another token gives up.
     */
    private void plain(boolean flow) {
        int start = p;
        int column = column();
        char first = s.charAt(p);
        if (" -?:,[]{}#&*!|>'\"%@`".indexOf(first) >= 0
                && !(first == '-' && p + 1 < lineEnd && s.charAt(p + 1) != ' ' && "-?:,[]{}#".indexOf(s.charAt(p + 1)) < 0)) {
            throw GiveUp.INSTANCE;
        }
        int end;
        while (true) {
            while (p < lineEnd) {
                char c = s.charAt(p);
                if (c == ' ') break;
                if (c == '#') throw GiveUp.INSTANCE;
                if (c == ':' && (p + 1 == lineEnd || s.charAt(p + 1) == ' ' || flow && ",[]{}".indexOf(s.charAt(p + 1)) >= 0)) {
                    throw GiveUp.INSTANCE; // a key, or "mapping values are not allowed here"
                }
                if (flow && ",?[]{}".indexOf(c) >= 0) break;
                p++;
            }
            end = p;
            skipSpaces();
            if (p >= lineEnd) break;
            char c = s.charAt(p);
            if (flow && (c == ',' || c == '}' || c == ']')) break;
            if (c == '#' && p > end) {
                if (flow) throw GiveUp.INSTANCE; // a comment inside a flow collection: it goes on on the next line
                break;
            }
            if (p == end) throw GiveUp.INSTANCE; // "?", "[", "{" in a flow value
        }
        p = end;
        String text = s.substring(start, end);
        boolean isNull = text.equals("~") || text.equals("null") || text.equals("Null") || text.equals("NULL");
        out.add(isNull ? JsonToken.VALUE_NULL : JsonToken.VALUE_STRING, lineNo, column, isNull ? null : text);
    }

    /** Not in the shape this class reads; thrown from deep in the recursion, never seen outside. */
    private static final class GiveUp extends RuntimeException {
        static final GiveUp INSTANCE = new GiveUp();

        private GiveUp() {
            super(null, null, false, false);
        }
    }

    /** The tokens read, with their positions: what {@link YamlTreeReader} builds its tree from. */
    static final class YamlTokens implements YamlTreeReader.Tokens {
        private JsonToken[] kinds = new JsonToken[256];
        private int[] lines = new int[256];
        private int[] columns = new int[256];
        private String[] texts = new String[256];
        private int size;
        private int at = -1;

        void add(JsonToken kind, int line, int column0, String text) {
            if (size == kinds.length) {
                int n = size * 2;
                kinds = Arrays.copyOf(kinds, n);
                lines = Arrays.copyOf(lines, n);
                columns = Arrays.copyOf(columns, n);
                texts = Arrays.copyOf(texts, n);
            }
            kinds[size] = kind;
            lines[size] = line;
            columns[size] = column0 + 1;
            texts[size] = text;
            size++;
        }

        @Override
        public JsonToken next() {
            return ++at < size ? kinds[at] : null;
        }

        @Override
        public int line() {
            return lines[at];
        }

        @Override
        public int column() {
            return columns[at];
        }

        @Override
        public String text() {
            return texts[at];
        }

        @Override
        public boolean alias() {
            return false; // '*' gives up
        }
    }
}
