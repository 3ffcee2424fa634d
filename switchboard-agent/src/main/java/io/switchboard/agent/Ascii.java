package io.switchboard.agent;

/**
 * Scanning primitives over ASCII bytes, for the {@code /proc} parsers: find a line by its prefix,
 * read unsigned decimal numbers, without building a String per line.
 *
 * <p>Stateless; thread-safe.
 */
final class Ascii {
    /** What {@link #number} returns when there is no number at the position. */
    static final long NONE = -1;

    private Ascii() {}

    /** The index just after {@code prefix} on the first line of {@code b[0, len)} that starts with it, or -1. */
    static int afterLinePrefix(byte[] b, int len, String prefix) {
        int i = 0;
        while (i < len) {
            if (startsWith(b, i, len, prefix)) return i + prefix.length();
            i = nextLine(b, i, len);
        }
        return -1;
    }

    static boolean startsWith(byte[] b, int at, int len, String prefix) {
        if (at + prefix.length() > len) return false;
        for (int k = 0; k < prefix.length(); k++) {
            if (b[at + k] != prefix.charAt(k)) return false;
        }
        return true;
    }

    /** The index of the first byte of the line after the one holding {@code i}; {@code len} at the end. */
    static int nextLine(byte[] b, int i, int len) {
        while (i < len && b[i] != '\n') i++;
        return Math.min(i + 1, len);
    }

    /** The index of the first byte at or after {@code i} that is not a space or tab (on the same line). */
    static int skipBlanks(byte[] b, int i, int len) {
        while (i < len && (b[i] == ' ' || b[i] == '\t')) i++;
        return i;
    }

    /**
     * The unsigned decimal number that starts at {@code i} (after blanks), or {@link #NONE} when
     * there is none there or it does not fit a long; {@link #end} is where it stopped.
     */
    static long number(byte[] b, int i, int len, int[] end) {
        i = skipBlanks(b, i, len);
        int start = i;
        long v = 0;
        while (i < len && b[i] >= '0' && b[i] <= '9') {
            if (v > (Long.MAX_VALUE - 9) / 10) {
                end[0] = i;
                return NONE;
            }
            v = v * 10 + (b[i] - '0');
            i++;
        }
        end[0] = i;
        return i == start ? NONE : v;
    }
}
