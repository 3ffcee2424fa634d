package io.switchboard.config;

/**
 * Whole numbers in a range, as the config file, the admin API and the CLI write them: one parser, so
 * that all three accept the same text and answer a bad value with the same words.
 */
public final class IntegerSyntax {
    private IntegerSyntax() {}

    /**
     * @throws IllegalArgumentException naming the value and the allowed range when it is not a whole
     *                                  number within [min, max]
     */
    public static int parse(String s, int min, int max) {
        long v;
        try {
            v = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number (allowed: " + min + "-" + max + ")");
        }
        if (v < min || v > max) throw new IllegalArgumentException(v + " is out of range (allowed: " + min + "-" + max + ")");
        return (int) v;
    }
}
