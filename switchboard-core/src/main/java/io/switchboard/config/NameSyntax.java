package io.switchboard.config;

import java.util.regex.Pattern;

/**
 * Names of listeners, pools and back ends, in the config file and the admin API alike: up to 64
 * letters, digits, {@code .}, {@code _} or {@code -}, starting with a letter or digit, so that a
 * name is safe in a URL path segment, a log line and a metric label without escaping.
 *
 * <p>Stateless; thread-safe.
 */
public final class NameSyntax {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String RULE = "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private NameSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the text and says what is allowed */
    public static String parse(String text) {
        if (NAME.matcher(text).matches()) return text;
        throw new IllegalArgumentException("'" + text + "' is not a valid name (" + RULE + ")");
    }
}
