package io.switchboard.app;

import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;

/**
 * Reads the shape most config files have (block mappings and lists, {@code {...}} and {@code [...]}
 * on one line or going on to the next ones after a comma, plain and simply quoted values, comments) into the tokens SnakeYAML would give for
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

    // What each ASCII character may be, for the loops that run over every character of the file.
    private static final byte KEY_START = 1; // letters, digits, '_', '/'
    private static final byte KEY_PART = 2; // those, '-', '.', '+'
    private static final byte PLAIN_STOP = 4; // ' ', '#', ':': what ends a run of a plain value, or gives up
    private static final byte FLOW_STOP = 8; // ",?[]{}": what also ends it in a flow collection
    private static final byte[] CLASSES = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            boolean start = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/';
            CLASSES[c] = (byte) ((start ? KEY_START | KEY_PART : 0) | (c == '-' || c == '.' || c == '+' ? KEY_PART : 0)
                    | (" #:".indexOf(c) >= 0 ? PLAIN_STOP : 0) | (",?[]{}".indexOf(c) >= 0 ? FLOW_STOP : 0));
        }
    }

    private final byte[] s; // printable ASCII and '\n' only
    private final int length;
    private final YamlTokens out;
    private final String[] keys = new String[64];
    private int p; // the next character
    private int lineStart; // of the line p is in
    private int lineEnd; // its '\n' or the end of the text
    private int lineNo = 1;
    private int indent; // of the current content line; -1 at the end of the text
    private int depth;

    private SimpleYamlScanner(byte[] s) {
        this.s = s;
        this.length = s.length;
        this.out = new YamlTokens(Math.max(64, s.length / 8));
    }

    /** The tokens of {@code text}, or null when it is not in the shape this class reads. */
    static YamlTokens scan(String text) {
        if (text.length() > MAX_LENGTH) return null;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != text.length()) return null; // longer: not ASCII (control characters: lineEnd)
        try {
            SimpleYamlScanner scanner = new SimpleYamlScanner(bytes);
            return scanner.document() ? scanner.out : null;
        } catch (GiveUp e) {
            return null;
        }
    }

    private boolean startsWith(String prefix, int at) {
        if (at + prefix.length() > length) return false;
        for (int i = 0; i < prefix.length(); i++) if (s[at + i] != prefix.charAt(i)) return false;
        return true;
    }

    private String text(int from, int to) {
        return new String(s, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private boolean document() {
        lineEnd = lineEnd(0);
        if (!toContent()) return false; // empty: SnakeYAML's path reports it
        if (indent != 0 || !atKey()) return false;
        blockMapping(0);
        return indent < 0;
    }

    // ---- lines ---------------------------------------------------------------------------------

    /** Where the line that starts at {@code from} ends; gives up on a character that is not printable ASCII. */
    private int lineEnd(int from) {
        int i = from;
        while (i < length) {
            byte c = s[i];
            if (c == '\n') break;
            if (c < ' ' || c > '~') throw GiveUp.INSTANCE; // a tab, '\r', another control character
            i++;
        }
        return i;
    }

    /**
     * From p (the start of a line), past blank and comment lines to the first content of a line,
     * setting indent; false (indent -1) at the end of the text.
     */
    private boolean toContent() {
        while (true) {
            int i = p;
            while (i < lineEnd && at(i) == ' ') i++;
            if (i < lineEnd && at(i) != '#') {
                indent = i - lineStart;
                p = i;
                // a document marker or a directive: SnakeYAML's
                if (indent == 0 && (startsWith("---", i) || startsWith("...", i) || at(i) == '%')) throw GiveUp.INSTANCE;
                return true;
            }
            if (lineEnd >= length) {
                indent = -1;
                p = length;
                return false;
            }
            toNextLine();
        }
    }

    /** After a value: only spaces and a comment may follow on its line; then to the next content. */
    private void endLine() {
        int i = p;
        while (i < lineEnd && at(i) == ' ') i++;
        if (i < lineEnd && (at(i) != '#' || i == p)) throw GiveUp.INSTANCE;
        nextLine();
    }

    private void nextLine() {
        if (lineEnd >= length) {
            indent = -1;
            p = length;
            return;
        }
        toNextLine();
        toContent();
    }

    /** To the start of the line after this one (there is one: the callers check lineEnd < length). */
    private void toNextLine() {
        p = lineStart = lineEnd + 1;
        lineEnd = lineEnd(p);
        lineNo++;
    }

    private char at(int i) {
        return (char) s[i];
    }

    private int column() {
        return p - lineStart;
    }

    private void skipSpaces() {
        while (p < lineEnd && at(p) == ' ') p++;
    }

    /** At the end of the line's content: its end, or a comment after a space. */
    private boolean atLineEnd() {
        return p >= lineEnd || at(p) == '#' && p > lineStart && at(p - 1) == ' ';
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
                value(false);
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
                value(false);
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
        return p < lineEnd && at(p) == '-' && (p + 1 == lineEnd || at(p + 1) == ' ');
    }

    /** At a key this class reads: key characters, then ':' and a space or the line's end. */
    private boolean atKey() {
        int i = p;
        if (i >= lineEnd || !keyStart(at(i))) return false;
        while (i < lineEnd && keyPart(at(i))) i++;
        return i < lineEnd && at(i) == ':' && (i + 1 == lineEnd || at(i + 1) == ' ');
    }

    /** Reads a key and stops at its ':'. */
    private String key() {
        int start = p;
        if (p >= lineEnd || !keyStart(at(p))) throw GiveUp.INSTANCE;
        while (p < lineEnd && keyPart(at(p))) p++;
        if (p - start > MAX_KEY || p >= lineEnd || at(p) != ':') throw GiveUp.INSTANCE;
        return key(start, p);
    }

    /**
     * The same few keys come back on every line of a long list: one string each (the tree keeps one
     * instance of each key anyway, {@link YamlTreeReader}), found by length and first and last
     * character and compared before it is reused.
     */
    private String key(int from, int to) {
        int slot = ((to - from) * 31 + s[from] * 7 + s[to - 1]) & (keys.length - 1);
        String k = keys[slot];
        if (k != null && k.length() == to - from) {
            int i = 0;
            while (i < k.length() && k.charAt(i) == s[from + i]) i++;
            if (i == k.length()) return k;
        }
        return keys[slot] = text(from, to);
    }

    private static boolean keyStart(char c) {
        return (CLASSES[c] & KEY_START) != 0;
    }

    private static boolean keyPart(char c) {
        return (CLASSES[c] & KEY_PART) != 0;
    }

    // ---- values --------------------------------------------------------------------------------

    /** A value that starts and ends on this line: after "key: " or "- ", or in a flow collection. */
    private void value(boolean flow) {
        if (p >= lineEnd) throw GiveUp.INSTANCE;
        char c = at(p);
        if (c == '{') {
            flowMapping();
        } else if (c == '[') {
            flowList();
        } else if (c == '"' || c == '\'') {
            quoted(c);
        } else {
            plain(flow);
        }
    }

    private void flowMapping() {
        enter();
        out.add(JsonToken.START_OBJECT, lineNo, column(), null);
        p++;
        skipSpaces();
        if (p < lineEnd && at(p) == '}') {
            p++;
        } else {
            while (true) {
                int keyColumn = column();
                String key = key();
                out.add(JsonToken.FIELD_NAME, lineNo, keyColumn, key);
                p++; // ':'
                if (p >= lineEnd || at(p) != ' ') throw GiveUp.INSTANCE;
                skipSpaces();
                value(true);
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
        if (p < lineEnd && at(p) == ']') {
            p++;
        } else {
            while (true) {
                value(true);
                if (endOfFlowEntry(']')) break;
            }
        }
        out.add(JsonToken.END_ARRAY, 0, 0, null);
        depth--;
    }

    /**
     * After an entry: ", " and another (true: more), or the closing bracket (false: done). The next
     * entry may be on the next line ({@code {name: a, port: 1,} then the rest indented on the line below).
     */
    private boolean endOfFlowEntry(char close) {
        skipSpaces();
        if (p >= lineEnd) throw GiveUp.INSTANCE;
        char c = at(p++);
        if (c == close) return true;
        if (c != ',') throw GiveUp.INSTANCE;
        skipSpaces();
        if (p >= lineEnd) nextFlowLine();
        if (at(p) == close || at(p) == ',') throw GiveUp.INSTANCE;
        return false;
    }

    /**
     * A flow collection going on after a ',' at a line's end: the next line must hold its next entry,
     * indented more than the block line the collection started on ({@code indent}, which is not
     * changed here). A blank or comment line there, or less indentation, gives up: SnakeYAML ignores
     * indentation inside flow collections, so what is read here is read the same way there.
     */
    private void nextFlowLine() {
        if (lineEnd >= length) throw GiveUp.INSTANCE;
        toNextLine();
        skipSpaces();
        if (p >= lineEnd || p - lineStart <= indent || at(p) == '#') throw GiveUp.INSTANCE;
    }

    /** A quoted value closed on this line, without escapes ({@code \} or {@code ''}). */
    private void quoted(char quote) {
        int column = column();
        int close = p + 1;
        while (close < lineEnd && at(close) != quote) {
            if (at(close) == '\\' && quote == '"') throw GiveUp.INSTANCE;
            close++;
        }
        if (close >= lineEnd || quote == '\'' && close + 1 < lineEnd && at(close + 1) == '\'') throw GiveUp.INSTANCE;
        String text = text(p + 1, close);
        p = close + 1;
        if (p < lineEnd && at(p) != ' ' && at(p) != ',' && at(p) != '}' && at(p) != ']') throw GiveUp.INSTANCE;
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
        char first = at(p);
        if (" -?:,[]{}#&*!|>'\"%@`".indexOf(first) >= 0
                && !(first == '-' && p + 1 < lineEnd && at(p + 1) != ' ' && "-?:,[]{}#".indexOf(at(p + 1)) < 0)) {
            throw GiveUp.INSTANCE;
        }
        int stop = flow ? PLAIN_STOP | FLOW_STOP : PLAIN_STOP;
        int end;
        while (true) {
            while (p < lineEnd) {
                char c = at(p);
                if ((CLASSES[c] & stop) == 0) {
                    p++;
                } else if (c == ':') {
                    if (p + 1 == lineEnd || at(p + 1) == ' ' || flow && (CLASSES[at(p + 1)] & FLOW_STOP) != 0 && at(p + 1) != '?') {
                        throw GiveUp.INSTANCE; // a key, or "mapping values are not allowed here"
                    }
                    p++;
                } else if (c == '#') {
                    throw GiveUp.INSTANCE;
                } else {
                    break; // ' ', or in a flow collection one of ",?[]{}"
                }
            }
            end = p;
            skipSpaces();
            if (p >= lineEnd) break;
            char c = at(p);
            if (flow && (c == ',' || c == '}' || c == ']')) break;
            if (c == '#' && p > end) {
                if (flow) throw GiveUp.INSTANCE; // a comment inside a flow collection: it goes on on the next line
                break;
            }
            if (p == end) throw GiveUp.INSTANCE; // "?", "[", "{" in a flow value
        }
        p = end;
        String text = text(start, end);
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
}
