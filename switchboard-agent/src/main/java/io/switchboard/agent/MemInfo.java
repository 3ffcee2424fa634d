package io.switchboard.agent;

/**
 * {@code /proc/meminfo} (proc(5)): the agent takes {@code MemAvailable:  1234 kB}, the kernel's
 * estimate of memory available for new work without swapping (Linux 3.14 and later).
 *
 * <p>Stateless; thread-safe.
 */
final class MemInfo {
    private MemInfo() {}

    /** MemAvailable in bytes, or -1 when the line is missing or malformed. */
    static long availableBytes(byte[] b, int len) {
        int at = Ascii.afterLinePrefix(b, len, "MemAvailable:");
        if (at < 0) return -1;
        int[] end = new int[1];
        long kb = Ascii.number(b, at, len, end);
        if (kb == Ascii.NONE || kb > Long.MAX_VALUE / 1024) return -1;
        int unit = Ascii.skipBlanks(b, end[0], len);
        if (!Ascii.startsWith(b, unit, len, "kB")) return -1;
        return kb * 1024;
    }
}
