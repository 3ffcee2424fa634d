package io.switchboard.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, in the config file, the admin API ({@code ?deadline=30s}) and on
 * the command line alike: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 1h}, {@code 1d},
 * or parts together ({@code 1m30s}); units in any case. A bare number other than {@code 0} is
 * rejected rather than guessed: "30" is 30 seconds to one reader and 30 milliseconds to another.
 * Ranges (at least, at most) are the caller's: they differ per setting.
 *
 * <p>Stateless; thread-safe.
 */
public final class DurationSyntax {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");
    private static final String EXAMPLES = "write e.g. 500ms, 2s, 1m, 1h or 1m30s";

    private DurationSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the value and shows valid forms */
    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("0")) return Duration.ZERO;
        if (s.matches("\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("'" + text + "' has no unit (write " + s + "s or " + s + "ms)");
        }
        if (s.startsWith("-")) throw new IllegalArgumentException("'" + text + "' is negative (durations are 0 or more)");
        if (!WHOLE.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")");
        }
        ExactDecimal millis = ExactDecimal.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            long unit = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            };
            millis = millis.plus(ExactDecimal.of(m.group(1), unit));
        }
        // A year is far beyond any sensible timeout and keeps nanos arithmetic far from overflow.
        if (millis.exceeds(365L * 86_400_000L)) {
            throw new IllegalArgumentException("'" + text + "' is too long (at most 365d)");
        }
        if (!millis.isWhole()) {
            throw new IllegalArgumentException("'" + text + "' is finer than a millisecond");
        }
        return Duration.ofMillis(millis.whole());
    }

    /** The shortest exact spelling, for messages and summaries: 1500ms -> "1500ms", 120s -> "2m". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }
}
