package io.switchboard.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes, in the config file and anywhere else Switchboard reads one: a plain number is bytes;
 * {@code k}, {@code m}, {@code g} (also {@code kb}/{@code kib} and so on, any case) are binary
 * multiples, 1k = 1024, as in NGINX and HAProxy. Ranges are the caller's.
 *
 * <p>Stateless; thread-safe.
 */
public final class SizeSyntax {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg](?:i?b)?|b)?");

    private SizeSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the value and shows valid forms */
    public static long parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (write bytes, or e.g. 8k, 10m, 1g)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
        long multiplier = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1L;
        };
        ExactDecimal bytes = ExactDecimal.of(m.group(1), multiplier);
        if (!bytes.isWhole()) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
        if (bytes.exceeds(Long.MAX_VALUE)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return bytes.whole();
    }

    /** Exact and short: 8192 -> "8k", 1000 -> "1000". */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) return (bytes >> 30) + "g";
        if (bytes != 0 && bytes % (1L << 20) == 0) return (bytes >> 20) + "m";
        if (bytes != 0 && bytes % (1L << 10) == 0) return (bytes >> 10) + "k";
        return Long.toString(bytes);
    }
}
