package io.switchboard.app;

import com.fasterxml.jackson.core.JsonToken;
import java.util.Arrays;

/**
 * The tokens {@link SimpleYamlScanner} read, each with its 1-based line and column, in arrays (a file
 * of 10,000 servers has ~90,000 of them): what {@link YamlTreeReader} builds its tree from, read once
 * in order.
 *
 * <p>Not thread-safe: filled, then read, by one thread.
 */
final class YamlTokens implements YamlTreeReader.Tokens {
    private JsonToken[] kinds;
    private int[] lines;
    private int[] columns;
    private String[] texts;
    private int size;
    private int at = -1;

    /** @param capacity a guess: a file of servers one a line has a token per 8 to 9 characters */
    YamlTokens(int capacity) {
        kinds = new JsonToken[capacity];
        lines = new int[capacity];
        columns = new int[capacity];
        texts = new String[capacity];
    }

    /** @param column0 0-based, as the scanner counts; kept 1-based, as Jackson reports SnakeYAML's */
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
        return false; // the scanner gives up on '*'
    }
}
