package io.switchboard.config;

import java.util.List;

/**
 * What a matched route does with a request. Plain values: the config holds them, and {@code
 * Router.route} returns the matched one (or the listener's default {@link Forward}).
 *
 * <p>Immutable; thread-safe.
 */
public sealed interface RouteAction {
    /** The most of a body a {@link Respond} may carry: answers, not pages. */
    int MAX_BODY = 1024;

    /**
     * Send the request to a pool.
     *
     * @param serviceClass the service class the request is queued in; null for the pool's default
     * @param requestEdits applied to the request head in order
     * @param responseEdits applied to the response head in order
     * @param rewriteFrom with {@code rewriteTo}, a path prefix to replace; null for none
     * @param key what the path-keyed algorithms key this route's requests by ({@link RouteKey#PATH} when null)
     * @param cost what one request of this route costs a back end, in ordinary requests (RFC 2391's
     *             session weight; {@link #DEFAULT_COST}); counted only by the load-reading algorithms
     */
    record Forward(String pool, String serviceClass, List<HeaderEdit> requestEdits, List<HeaderEdit> responseEdits,
                   String rewriteFrom, String rewriteTo, RouteKey key, int cost) implements RouteAction {
        public static final int DEFAULT_COST = 1;
        public static final int MAX_COST = 1_000_000;

        public Forward {
            if (cost < 1 || cost > MAX_COST) throw new IllegalArgumentException("cost " + cost + " out of range 1-" + MAX_COST);
            if (key == null) key = RouteKey.PATH;
            if (pool == null || pool.isEmpty()) throw new IllegalArgumentException("a forward needs a pool");
            requestEdits = requestEdits == null ? List.of() : List.copyOf(requestEdits);
            responseEdits = responseEdits == null ? List.of() : List.copyOf(responseEdits);
            if ((rewriteFrom == null) != (rewriteTo == null)) throw new IllegalArgumentException("a prefix rewrite needs from and to");
            if (rewriteFrom != null && (!rewriteFrom.startsWith("/") || !rewriteTo.startsWith("/"))) {
                throw new IllegalArgumentException("a prefix rewrite's from and to must start with '/'");
            }
            if (rewriteTo != null) {
                for (int i = 0; i < rewriteTo.length(); i++) {
                    char c = rewriteTo.charAt(i);
                    if (c <= ' ' || c >= 127 || c == '?' || c == '#') {
                        throw new IllegalArgumentException("'" + rewriteTo + "' must not contain spaces, controls, '?' or '#'");
                    }
                }
            }
        }

        /** At the default cost. */
        public Forward(String pool, String serviceClass, List<HeaderEdit> requestEdits, List<HeaderEdit> responseEdits,
                       String rewriteFrom, String rewriteTo, RouteKey key) {
            this(pool, serviceClass, requestEdits, responseEdits, rewriteFrom, rewriteTo, key, DEFAULT_COST);
        }

        /** The same forward at this cost per request. */
        public Forward withCost(int c) {
            return new Forward(pool, serviceClass, requestEdits, responseEdits, rewriteFrom, rewriteTo, key, c);
        }

        /** Keyed by the path. */
        public Forward(String pool, String serviceClass, List<HeaderEdit> requestEdits, List<HeaderEdit> responseEdits,
                       String rewriteFrom, String rewriteTo) {
            this(pool, serviceClass, requestEdits, responseEdits, rewriteFrom, rewriteTo, RouteKey.PATH);
        }

        /** The same forward keyed by {@code k}. */
        public Forward withKey(RouteKey k) {
            return new Forward(pool, serviceClass, requestEdits, responseEdits, rewriteFrom, rewriteTo, k, cost);
        }

        /** To a pool, nothing changed. */
        public static Forward to(String pool) {
            return new Forward(pool, null, List.of(), List.of(), null, null);
        }

        /** Whether the request or the response head is changed (so the data plane can skip the work). */
        public boolean editsHeads() {
            return !requestEdits.isEmpty() || !responseEdits.isEmpty() || rewriteFrom != null;
        }

        /**
         * The target to forward after the prefix rewrite: the normalised path with {@code rewriteFrom}
         * replaced by {@code rewriteTo}, and the query as received; null when the path does not start
         * with the prefix (or there is no rewrite).
         */
        public String rewrite(String normalizedPath, String rawQuery) {
            if (rewriteFrom == null || !normalizedPath.startsWith(rewriteFrom)) return null;
            String p = rewriteTo + normalizedPath.substring(rewriteFrom.length());
            if (p.startsWith("//")) p = p.substring(1);
            return rawQuery == null ? p : p + "?" + rawQuery;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("pool ").append(pool);
            if (serviceClass != null) sb.append(", class ").append(serviceClass);
            if (rewriteFrom != null) sb.append(", rewrite ").append(rewriteFrom).append(" -> ").append(rewriteTo);
            if (key.kind() != RouteKey.Kind.PATH) sb.append(", key ").append(key);
            if (cost != DEFAULT_COST) sb.append(", cost ").append(cost);
            for (HeaderEdit e : requestEdits) sb.append(", request ").append(e);
            for (HeaderEdit e : responseEdits) sb.append(", response ").append(e);
            return sb.toString();
        }
    }

    /**
     * Answer with a redirect. The location is a template: {@code {host}} is the request's host without
     * its port, {@code {path}} its normalised path, {@code {query}} {@code ?} and its query as received
     * (empty when it has none). A literal brace is written {@code %7B} / {@code %7D}, as in any URL.
     */
    record Redirect(int status, String location) implements RouteAction {
        public Redirect {
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                throw new IllegalArgumentException(status + " is not a redirect status (allowed: 301, 302, 303, 307, 308)");
            }
            checkTemplate(location);
        }

        /** The location for one request; values with controls or spaces (a host: anything but a host name) are left out. */
        public String locationFor(String host, String path, String rawQuery) {
            StringBuilder sb = new StringBuilder(location.length() + 32);
            for (int i = 0; i < location.length(); i++) {
                char c = location.charAt(i);
                if (c != '{') {
                    sb.append(c);
                    continue;
                }
                int close = location.indexOf('}', i);
                String name = location.substring(i + 1, close);
                switch (name) {
                    case "host" -> sb.append(hostName(host));
                    case "path" -> sb.append(safe(path));
                    case "query" -> sb.append(rawQuery == null ? "" : "?" + safe(rawQuery));
                    default -> throw new IllegalStateException("checked when made: " + name);
                }
                i = close;
            }
            return sb.toString();
        }

        /** Only the characters of a host name or address literal: a Host such as {@code a.com/x@b} is left out. */
        private static String hostName(String h) {
            if (h == null) return "";
            for (int i = 0; i < h.length(); i++) {
                char c = h.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                        || c == '_' || c == ':' || c == '[' || c == ']';
                if (!ok) return "";
            }
            return h;
        }

        private static String safe(String v) {
            if (v == null) return "";
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c <= ' ' || c >= 127) return "";
            }
            return v;
        }

        private static void checkTemplate(String t) {
            if (t == null || t.isEmpty()) throw new IllegalArgumentException("a redirect needs a location");
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c <= ' ' || c >= 127) throw new IllegalArgumentException("the location must not contain spaces or controls");
                if (c == '}') throw new IllegalArgumentException("'}' without '{' in location '" + t + "' (write %7D for a brace)");
                if (c != '{') continue;
                int close = t.indexOf('}', i + 1);
                if (close < 0) throw new IllegalArgumentException("'{' without '}' in location '" + t + "'");
                String name = t.substring(i + 1, close);
                if (!List.of("host", "path", "query").contains(name)) {
                    throw new IllegalArgumentException("unknown placeholder {" + name + "} in location (allowed: {host}, {path}, {query})");
                }
                i = close;
            }
        }

        @Override
        public String toString() {
            return "redirect " + status + " " + location;
        }
    }

    /**
     * Answer with this status and a short text body (a deny is 403).
     *
     * @param retryAfterSeconds sent as {@code Retry-After} (RFC 9110 section 10.2.3) when more than 0,
     *     e.g. with a 429 (RFC 6585) or a 503
     */
    record Respond(int status, String body, long retryAfterSeconds) implements RouteAction {
        public Respond(int status, String body) {
            this(status, body, 0);
        }

        public Respond {
            if (retryAfterSeconds < 0) throw new IllegalArgumentException("retry-after must not be negative");
            if (status < 200 || status > 599) throw new IllegalArgumentException(status + " is not a final status (allowed: 200-599)");
            if (body == null) body = "";
            if (body.length() > MAX_BODY) throw new IllegalArgumentException("a body of " + body.length() + " characters is too long (at most " + MAX_BODY + ")");
            for (int i = 0; i < body.length(); i++) {
                if (body.charAt(i) > 0xff) throw new IllegalArgumentException("the body must be Latin-1 text");
            }
        }

        /** 403 with a short text. */
        public static Respond deny() {
            return new Respond(403, "forbidden\n");
        }

        @Override
        public String toString() {
            return (status == 403 ? "deny 403" : "respond " + status) + (body.isEmpty() ? "" : " \"" + body.strip() + "\"")
                    + (retryAfterSeconds > 0 ? " retry-after " + retryAfterSeconds + "s" : "");
        }
    }

    /** The path is refused (see the route package's PathNormalizer): answer 400, forward nothing. */
    record Refused(String reason) implements RouteAction {
        @Override
        public String toString() {
            return "refused: " + reason;
        }
    }
}
