package io.switchboard.agent;

/**
 * Counts established connections in {@code /proc/net/tcp} and {@code /proc/net/tcp6} (proc(5)):
 * after a header line, one line per socket whose fourth field {@code st} is the TCP state in hex,
 * {@code 01} for ESTABLISHED. The text is fed in chunks as it is read, so a table of any size is
 * counted with one fixed buffer and no String per line.
 *
 * <p>Not thread-safe: one reader; {@link #reset} before each file.
 */
final class TcpTable {
    private static final int STATE_FIELD = 3;

    private boolean header;
    private int field;
    private boolean inField;
    private int fieldLength;
    private boolean firstIs0;
    private boolean stateIs01;
    private int established;

    TcpTable() {
        reset();
    }

    /** Starts a new file (its first line is the header). */
    void reset() {
        header = true;
        field = -1;
        inField = false;
        fieldLength = 0;
        stateIs01 = false;
        established = 0;
    }

    /** Feeds the next {@code len} bytes of the file. */
    void feed(byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            byte c = b[i];
            if (c == '\n') {
                endLine();
                continue;
            }
            if (header) continue;
            if (c == ' ' || c == '\t') {
                inField = false;
                continue;
            }
            if (!inField) {
                inField = true;
                field++;
                fieldLength = 0;
            }
            if (field == STATE_FIELD) {
                fieldLength++;
                if (fieldLength == 1) firstIs0 = c == '0';
                stateIs01 = fieldLength == 2 && firstIs0 && c == '1';
            }
        }
    }

    private void endLine() {
        if (!header && field >= STATE_FIELD && stateIs01) established++;
        header = false;
        field = -1;
        inField = false;
        fieldLength = 0;
        stateIs01 = false;
    }

    /** Established connections in what was fed (a last line without its newline counts too). */
    int established() {
        return established + (!header && field >= STATE_FIELD && stateIs01 ? 1 : 0);
    }
}
