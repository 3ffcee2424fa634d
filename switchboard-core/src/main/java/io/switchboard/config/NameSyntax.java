package io.switchboard.config;

/**
 * Names of listeners, pools and back ends, in the config file and the admin API alike: up to 64
 * letters, digits, {@code .}, {@code _} or {@code -}, starting with a letter or digit, so that a
 * name is safe in a URL path segment, a log line and a metric label without escaping.
 *
 * <p>Stateless; thread-safe.
 */
public final class NameSyntax {
    private static final int MAX_LENGTH = 64;
    private static final String RULE = "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private NameSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the text and says what is allowed */
    public static String parse(String text) {
        if (valid(text)) return text;
        throw new IllegalArgumentException("'" + text + "' is not a valid name (" + RULE + ")");
    }

    /**
     * {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}, by hand rather than by a regular expression: a config of
     * 10,000 servers checks 10,000 names on every reload.
     */
    private static boolean valid(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_LENGTH || !alnum(s.charAt(0))) return false;
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
        }
        return true;
    }

    private static boolean alnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
