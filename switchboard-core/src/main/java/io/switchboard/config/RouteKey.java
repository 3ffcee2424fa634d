package io.switchboard.config;

import java.util.Locale;

/**
 * What a forward route's requests are keyed by for the algorithms that key on the path (uri-hash,
 * lard, lard-r): the normalised path (the default), or the value of a header, a cookie or a query
 * parameter, so that, say, every request of one tenant is one LARD target. The one syntax of the
 * route key {@code key:} ({@link #parse}).
 *
 * <p>Immutable; thread-safe.
 *
 * @param name the header, cookie or query parameter; null for {@link Kind#PATH}
 */
public record RouteKey(Kind kind, String name) {
    public enum Kind { PATH, HEADER, COOKIE, QUERY }

    public static final RouteKey PATH = new RouteKey(Kind.PATH, null);

    public RouteKey {
        if (kind == null) throw new IllegalArgumentException("a route key needs a kind");
        if ((kind == Kind.PATH) != (name == null)) throw new IllegalArgumentException("only header, cookie and query keys have a name");
        if (name != null && name.isEmpty()) throw new IllegalArgumentException("a " + kind.name().toLowerCase(Locale.ROOT) + " key needs a name");
    }

    /**
     * {@code path}, {@code header:NAME}, {@code cookie:NAME} or {@code query:NAME}; a header name is
     * an RFC 9110 token, a cookie or query name any text without spaces or controls.
     *
     * @throws IllegalArgumentException saying what is allowed
     */
    public static RouteKey parse(String text) {
        String s = text.trim();
        if (s.equals("path")) return PATH;
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        Kind k = switch (kind) {
            case "header" -> Kind.HEADER;
            case "cookie" -> Kind.COOKIE;
            case "query" -> Kind.QUERY;
            default -> throw new IllegalArgumentException("'" + text + "' is not a route key (allowed: path, header:NAME, cookie:NAME,"
                    + " query:NAME)");
        };
        String name = colon < 0 ? "" : s.substring(colon + 1);
        if (name.isEmpty()) {
            String example = switch (k) {
                case HEADER -> "X-Tenant";
                case COOKIE -> "session";
                default -> "user";
            };
            throw new IllegalArgumentException("'" + text + "' names no " + kind + " (write e.g. " + kind + ":" + example + ")");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean bad = c <= ' ' || c >= 127 || k == Kind.HEADER && "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0;
            if (bad) {
                throw new IllegalArgumentException("'" + name + "' is not a valid " + kind + " name"
                        + (k == Kind.HEADER ? " (RFC 9110 token characters only)" : " (no spaces or control characters)"));
            }
        }
        return new RouteKey(k, name);
    }

    @Override
    public String toString() {
        return kind == Kind.PATH ? "path" : kind.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
