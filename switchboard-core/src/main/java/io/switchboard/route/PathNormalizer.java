package io.switchboard.route;

/**
 * The form of a request path that routes match on, so that a rule on {@code /admin} is not passed by
 * {@code /%61dmin}, {@code /./admin}, {@code //admin} or {@code /x/../admin}, each of which a back
 * end reads as {@code /admin}.
 *
 * <p>RFC 3986 section 6.2.2: percent-encodings of unreserved characters ({@code A-Z a-z 0-9 - . _ ~})
 * are decoded and the others have their hex digits upper-cased (6.2.2.1, 6.2.2.2); runs of {@code /}
 * are merged (Envoy's {@code merge_slashes}, HAProxy's {@code normalize-uri path-merge-slashes});
 * then dot segments are removed (5.2.4; a {@code ..} above the root stays at the root). Slashes are
 * merged first because back ends that merge them (NGINX by default) read {@code /x//../admin} as
 * {@code /admin}, and the stricter reading is the one a deny rule must see. Decoding is
 * done once: {@code %2561} stays {@code %2561}, it does not become {@code a}. Case is kept (paths are
 * case-sensitive).
 *
 * <p>Refused, because front end and back end may read them differently (Envoy's {@code
 * path_with_escaped_slashes_action: REJECT_REQUEST}): an encoded {@code /} ({@code %2F}), an encoded
 * or raw backslash ({@code %5C}, {@code \}, a separator to IIS), a NUL ({@code %00} or raw), other
 * control characters, a malformed escape ({@code %zz}, {@code %4}), and a dot segment with
 * parameters ({@code /..;/}, which servlet containers read as {@code ..}).
 *
 * <p>A path with nothing to change, nearly every path, is returned as it is, without allocation.
 * Stateless; thread-safe.
 */
public final class PathNormalizer {
    private PathNormalizer() {}

    /** A path that must not be forwarded: answer 400. */
    public static final class RefusedPath extends Exception {
        public RefusedPath(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param path the path part of an origin-form target (no query), starting with {@code /}
     * @return the normalised path; {@code path} itself when nothing changes
     * @throws RefusedPath with a reason for the log when the path is refused
     */
    public static String normalize(String path) throws RefusedPath {
        if (isNormal(path)) return path;
        String decoded = decode(path);
        return removeDotSegments(mergeSlashes(decoded));
    }

    /**
     * The path of an origin-form target (the query left out) normalised, for keying requests by path
     * (uri-hash, lard): a refused path is kept as it is, since without routes it is forwarded as it
     * is. For a normal path only a scan, and the substring when there is a query.
     */
    public static String pathKey(String target) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        try {
            return normalize(path);
        } catch (RefusedPath e) {
            return path;
        }
    }

    /** The common case: no escapes, no dot segments, no empty segments, nothing refused. */
    private static boolean isNormal(String p) {
        int n = p.length();
        char prev = 0;
        for (int i = 0; i < n; i++) {
            char c = p.charAt(i);
            if (c == '%' || c == '\\' || c < ' ' || c == 127 || c == ';') return false;
            if (c == '/' && prev == '/') return false;
            if (c == '.' && (prev == '/' || i == 0)) return false;
            prev = c;
        }
        return true;
    }

    private static String decode(String p) throws RefusedPath {
        StringBuilder sb = new StringBuilder(p.length());
        int n = p.length();
        for (int i = 0; i < n; i++) {
            char c = p.charAt(i);
            if (c == 0) throw new RefusedPath("NUL in path");
            if (c < ' ' || c == 127) throw new RefusedPath("control character in path");
            if (c == '\\') throw new RefusedPath("backslash in path");
            if (c != '%') {
                sb.append(c);
                continue;
            }
            int hi = i + 1 < n ? hex(p.charAt(i + 1)) : -1;
            int lo = i + 2 < n ? hex(p.charAt(i + 2)) : -1;
            if (hi < 0 || lo < 0) throw new RefusedPath("malformed percent-encoding in path");
            int v = hi * 16 + lo;
            if (v == '/') throw new RefusedPath("encoded '/' (%2F) in path");
            if (v == '\\') throw new RefusedPath("encoded backslash (%5C) in path");
            if (v == 0) throw new RefusedPath("encoded NUL (%00) in path");
            if (unreserved(v)) {
                sb.append((char) v);
            } else {
                sb.append('%').append(Character.toUpperCase(p.charAt(i + 1))).append(Character.toUpperCase(p.charAt(i + 2)));
            }
            i += 2;
        }
        return sb.toString();
    }

    /** RFC 3986 section 5.2.4, over segments; a {@code ..} above the root is dropped. */
    private static String removeDotSegments(String p) throws RefusedPath {
        int n = p.length();
        if (n == 0 || p.charAt(0) != '/') return p; // "*" and the like: nothing to resolve
        StringBuilder out = new StringBuilder(n);
        int i = 1;
        boolean trailingSlash = false;
        while (i <= n) {
            int end = p.indexOf('/', i);
            if (end < 0) end = n;
            String seg = p.substring(i, end);
            boolean last = end == n;
            int semi = seg.indexOf(';');
            String bare = semi < 0 ? seg : seg.substring(0, semi);
            if (semi >= 0 && (bare.equals(".") || bare.equals(".."))) {
                throw new RefusedPath("dot segment with parameters ('" + seg + "') in path");
            }
            if (seg.equals(".")) {
                trailingSlash = last;
            } else if (seg.equals("..")) {
                int cut = out.lastIndexOf("/");
                if (cut >= 0) out.setLength(cut);
                trailingSlash = last;
            } else {
                out.append('/').append(seg);
                trailingSlash = false;
            }
            i = end + 1;
        }
        if (trailingSlash || out.isEmpty()) out.append('/');
        return out.toString();
    }

    private static String mergeSlashes(String p) {
        if (!p.contains("//")) return p;
        StringBuilder sb = new StringBuilder(p.length());
        char prev = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/' && prev == '/') continue;
            sb.append(c);
            prev = c;
        }
        return sb.toString();
    }

    private static boolean unreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
