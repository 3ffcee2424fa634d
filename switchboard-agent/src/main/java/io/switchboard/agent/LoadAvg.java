package io.switchboard.agent;

/**
 * {@code /proc/loadavg} (proc(5)): {@code "0.20 0.18 0.12 1/80 11206"}; the agent reports the first,
 * the 1-minute load average.
 *
 * <p>Stateless; thread-safe.
 */
final class LoadAvg {
    private LoadAvg() {}

    /** The 1-minute load average, or NaN when the text does not start with a decimal number. */
    static double load1(byte[] b, int len) {
        int i = Ascii.skipBlanks(b, 0, len);
        int[] end = new int[1];
        long whole = Ascii.number(b, i, len, end);
        if (whole == Ascii.NONE || whole > 1_000_000) return Double.NaN;
        i = end[0];
        double v = whole;
        if (i < len && b[i] == '.') {
            double scale = 0.1;
            i++;
            int digits = 0;
            while (i < len && b[i] >= '0' && b[i] <= '9' && digits < 6) {
                v += (b[i] - '0') * scale;
                scale /= 10;
                i++;
                digits++;
            }
            if (digits == 0) return Double.NaN;
        }
        if (i < len && b[i] != ' ' && b[i] != '\n') return Double.NaN;
        return v;
    }
}
