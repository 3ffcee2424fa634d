package io.switchboard.config;

import java.util.Locale;
import java.util.Set;

/**
 * One change a route makes to a request or response head: set (replace every field of the name),
 * add (one more field) or remove (every field of the name). The rule on which fields may be edited
 * and which values are allowed lives here, so that the config file is refused at load time by the
 * same rule the data plane applies.
 *
 * <p>Immutable; thread-safe.
 *
 * @param value null for {@link Op#REMOVE}
 */
public record HeaderEdit(Op op, String name, String value) {
    /** What the edit does. */
    public enum Op { SET, ADD, REMOVE }

    /**
     * Field names (lower case) that no edit may touch: they frame the message (an edit of {@code
     * Content-Length} would desynchronise the connection) or the proxy writes them itself (an edit of
     * {@code X-Forwarded-For} would be written twice).
     */
    public static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
            "proxy-connection", "te", "trailer", "upgrade", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "via");

    public HeaderEdit {
        checkName(name);
        if (op == Op.REMOVE) {
            value = null;
        } else {
            checkValue(name, value);
        }
    }

    /**
     * @return the name in lower case
     * @throws IllegalArgumentException when the name is not an RFC 9110 token or is {@link #PROTECTED}
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a header name must not be empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean tchar = c > ' ' && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
            if (!tchar) throw new IllegalArgumentException("'" + name + "' is not a valid header name (RFC 9110 token characters only)");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (PROTECTED.contains(lower)) {
            throw new IllegalArgumentException("header '" + name + "' cannot be edited: it frames the message or the proxy writes it"
                    + " (protected: " + String.join(", ", PROTECTED.stream().sorted().toList()) + ")");
        }
        return lower;
    }

    /** @throws IllegalArgumentException for a missing value or one with CR, LF, NUL or non-Latin-1 characters */
    public static void checkValue(String name, String value) {
        if (value == null) throw new IllegalArgumentException("header '" + name + "' needs a value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw new IllegalArgumentException("the value of '" + name + "' must not contain CR, LF, NUL or non-Latin-1 characters");
            }
        }
    }

    @Override
    public String toString() {
        return switch (op) {
            case SET -> "set " + name + ": " + value;
            case ADD -> "add " + name + ": " + value;
            case REMOVE -> "remove " + name;
        };
    }
}
