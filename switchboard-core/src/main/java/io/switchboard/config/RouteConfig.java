package io.switchboard.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One route of a listener as configured: a name, the conditions a request must meet (all of them),
 * and what to do with it. Plain values with value equality, so that a reload can tell whether the
 * routes changed; the route package's Router compiles them.
 *
 * <p>Immutable; thread-safe.
 */
public record RouteConfig(String name, Match match, RouteAction action) {
    public RouteConfig {
        if (match == null) match = Match.ANY;
        if (action == null) throw new IllegalArgumentException("route '" + name + "' needs an action");
    }

    /** How a header, query parameter or cookie is compared. */
    public enum Test { PRESENT, EQUALS, REGEX }

    /**
     * A condition on a named value (header, query parameter, cookie).
     *
     * @param value the value for EQUALS, the regular expression for REGEX, null for PRESENT
     */
    public record ValueMatch(String name, Test test, String value) {
        public ValueMatch {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("a name is required");
            if (test != Test.PRESENT && value == null) throw new IllegalArgumentException("'" + name + "' needs a value to compare with");
            if (test == Test.PRESENT) value = null;
            if (test == Test.REGEX) compile(value);
        }

        @Override
        public String toString() {
            return switch (test) {
                case PRESENT -> name + " present";
                case EQUALS -> name + " = " + value;
                case REGEX -> name + " ~ " + value;
            };
        }
    }

    /** A per-key counter of a pool's stick table, as {@code stick-counter} names it. */
    public enum Counter {
        REQUEST_RATE("request-rate"), CONNECTION_RATE("connection-rate"), ERRORS("errors"), REQUESTS("requests"),
        CONNECTIONS("connections");

        private final String word;

        Counter(String word) {
            this.word = word;
        }

        /** The name in the config file, e.g. {@code request-rate}. */
        public String word() {
            return word;
        }

        /** @throws IllegalArgumentException saying which counters there are */
        public static Counter parse(String word) {
            for (Counter c : values()) if (c.word.equals(word)) return c;
            throw new IllegalArgumentException("unknown counter '" + word + "' (allowed: " + String.join(", ", words()) + ")");
        }

        public static List<String> words() {
            return Arrays.stream(values()).map(Counter::word).toList();
        }
    }

    /**
     * Holds when {@code counter} of the request's key in pool {@code pool}'s stick table is more than
     * {@code above}; the key is the one that pool's persistence takes from the request. Rates are per
     * {@code StickTable.RATE_PERIOD_SECONDS}-second sliding window.
     */
    public record StickCounter(String pool, Counter counter, long above) {
        public StickCounter {
            if (pool == null || pool.isEmpty()) throw new IllegalArgumentException("stick-counter needs a pool");
            if (counter == null) throw new IllegalArgumentException("stick-counter needs a counter");
            if (above < 0) throw new IllegalArgumentException("stick-counter's 'above' must be 0 or more");
        }

        /** Whether every request this condition accepts is accepted by {@code other} too. */
        boolean implies(StickCounter other) {
            return pool.equals(other.pool) && counter == other.counter && above >= other.above;
        }

        @Override
        public String toString() {
            return pool + " " + counter.word + " > " + above;
        }
    }

    /**
     * The conditions of a route, all of which must hold; an empty list or null means "any". Host
     * patterns are lower case, either exact or {@code *.suffix} (any name ending in {@code .suffix},
     * not the suffix itself). At most one of {@code path}, {@code pathPrefix}, {@code pathRegex}.
     *
     * @param stickCounters conditions on stick-table counters of the request's key
     * @param not conditions that must not all hold; null for none
     */
    public record Match(List<String> hosts, String path, String pathPrefix, String pathRegex, List<String> methods,
                        List<ValueMatch> headers, List<ValueMatch> queries, List<ValueMatch> cookies, List<Cidr> clients,
                        List<StickCounter> stickCounters, Match not) {
        /** No conditions: every request. */
        public static final Match ANY = new Match(null, null, null, null, null, null, null, null, null, null, null);

        public Match {
            hosts = hosts == null ? List.of() : hosts.stream().map(Match::host).toList();
            methods = methods == null ? List.of() : List.copyOf(methods);
            headers = headers == null ? List.of() : List.copyOf(headers);
            queries = queries == null ? List.of() : List.copyOf(queries);
            cookies = cookies == null ? List.of() : List.copyOf(cookies);
            clients = clients == null ? List.of() : List.copyOf(clients);
            stickCounters = stickCounters == null ? List.of() : List.copyOf(stickCounters);
            int paths = (path == null ? 0 : 1) + (pathPrefix == null ? 0 : 1) + (pathRegex == null ? 0 : 1);
            if (paths > 1) throw new IllegalArgumentException("give one of path, path-prefix and path-regex, not several");
            if (path != null && !path.startsWith("/")) throw new IllegalArgumentException("path '" + path + "' must start with '/'");
            if (pathPrefix != null && !pathPrefix.startsWith("/")) {
                throw new IllegalArgumentException("path-prefix '" + pathPrefix + "' must start with '/'");
            }
            if (pathRegex != null) compile(pathRegex);
            if (not != null && not.isAny()) not = null;
        }

        /** Collects conditions; for the config loader and tests. Not thread-safe. */
        public static final class Builder {
            private final List<String> hosts = new ArrayList<>();
            private String path;
            private String pathPrefix;
            private String pathRegex;
            private final List<String> methods = new ArrayList<>();
            private final List<ValueMatch> headers = new ArrayList<>();
            private final List<ValueMatch> queries = new ArrayList<>();
            private final List<ValueMatch> cookies = new ArrayList<>();
            private final List<Cidr> clients = new ArrayList<>();
            private final List<StickCounter> stickCounters = new ArrayList<>();
            private Match not;

            public Builder hosts(String... h) { hosts.addAll(List.of(h)); return this; }
            public Builder path(String p) { path = p; return this; }
            public Builder pathPrefix(String p) { pathPrefix = p; return this; }
            public Builder pathRegex(String p) { pathRegex = p; return this; }
            public Builder methods(String... m) { methods.addAll(List.of(m)); return this; }
            public Builder header(ValueMatch v) { headers.add(v); return this; }
            public Builder query(ValueMatch v) { queries.add(v); return this; }
            public Builder cookie(ValueMatch v) { cookies.add(v); return this; }
            public Builder clients(Cidr... c) { clients.addAll(List.of(c)); return this; }
            public Builder stickCounter(StickCounter s) { stickCounters.add(s); return this; }
            public Builder not(Match m) { not = m; return this; }

            public Match build() {
                return new Match(hosts, path, pathPrefix, pathRegex, methods, headers, queries, cookies, clients, stickCounters, not);
            }
        }

        public boolean isAny() {
            return hosts.isEmpty() && path == null && pathPrefix == null && pathRegex == null && methods.isEmpty()
                    && headers.isEmpty() && queries.isEmpty() && cookies.isEmpty() && clients.isEmpty() && stickCounters.isEmpty()
                    && not == null;
        }

        /** A host pattern checked and in lower case: a name, or {@code *.} and a name. */
        public static String host(String h) {
            String s = h.trim().toLowerCase(Locale.ROOT);
            if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
            String name = s.startsWith("*.") ? s.substring(2) : s;
            if (name.contains(":") && !name.startsWith("[")) {
                throw new IllegalArgumentException("'" + h + "': write the host without a port (hosts are matched without theirs)");
            }
            if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == ':' || c == '[' || c == ']')) {
                throw new IllegalArgumentException("'" + h + "' is not a host name or '*.' and a domain"
                        + " (write e.g. shop.example.com or *.example.com; no port)");
            }
            return s;
        }

        /** The conditions in words, for the admin API and the logs: "host a or *.b, path starts with /x". */
        public String describe() {
            if (isAny()) return "any request";
            List<String> parts = new ArrayList<>();
            if (!hosts.isEmpty()) parts.add("host " + String.join(" or ", hosts));
            if (path != null) parts.add("path is " + path);
            if (pathPrefix != null) parts.add("path starts with " + pathPrefix);
            if (pathRegex != null) parts.add("path ~ " + pathRegex);
            if (!methods.isEmpty()) parts.add("method " + String.join(" or ", methods));
            for (ValueMatch v : headers) parts.add("header " + v);
            for (ValueMatch v : queries) parts.add("query " + v);
            for (ValueMatch v : cookies) parts.add("cookie " + v);
            if (!clients.isEmpty()) parts.add("client in " + String.join(" or ", clients.stream().map(Cidr::toString).toList()));
            for (StickCounter c : stickCounters) parts.add("stick-counter " + c);
            if (not != null) parts.add("not (" + not.describe() + ")");
            return String.join(", ", parts);
        }

        /**
         * Whether every request this match accepts is accepted by {@code this} too (so a later route
         * with {@code later} never sees a request when {@code this} comes first and always acts).
         * Conservative: false when unsure. Covered: no conditions, equal conditions, a path prefix that
         * starts the later path or prefix, a host or method list that contains the later one, a
         * stick-counter condition that a later one on the same pool and counter with an equal or higher
         * {@code above} implies. A condition not named here never makes this method return true.
         */
        public boolean covers(Match later) {
            if (not != null && !not.equals(later.not)) return false;
            if (!hosts.isEmpty() && (later.hosts.isEmpty() || !Set.copyOf(hosts).containsAll(later.hosts))) return false;
            if (!methods.isEmpty() && (later.methods.isEmpty() || !Set.copyOf(methods).containsAll(later.methods))) return false;
            if (!clients.isEmpty() && !clients.equals(later.clients)) return false;
            if (!headers.isEmpty() && !later.headers.containsAll(headers)) return false;
            if (!queries.isEmpty() && !later.queries.containsAll(queries)) return false;
            if (!cookies.isEmpty() && !later.cookies.containsAll(cookies)) return false;
            for (StickCounter c : stickCounters) {
                if (later.stickCounters.stream().noneMatch(l -> l.implies(c))) return false;
            }
            if (path != null && !path.equals(later.path)) return false;
            if (pathRegex != null && !pathRegex.equals(later.pathRegex)) return false;
            if (pathPrefix != null) {
                String lp = later.path != null ? later.path : later.pathPrefix;
                if (lp == null || !lp.startsWith(pathPrefix)) return false;
            }
            return true;
        }
    }

    /**
     * For each route, the index of an earlier route that takes every request it could match (so it
     * can never match), or -1. Only routes without a not-condition in the earlier position are
     * considered unless the not-conditions are equal; see {@link Match#covers}.
     */
    public static int[] shadowing(List<RouteConfig> routes) {
        int[] out = new int[routes.size()];
        for (int i = 0; i < routes.size(); i++) {
            out[i] = -1;
            for (int j = 0; j < i; j++) {
                if (routes.get(j).match().covers(routes.get(i).match())) {
                    out[i] = j;
                    break;
                }
            }
        }
        return out;
    }

    /** @throws IllegalArgumentException with the regex error, for people */
    public static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + regex + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }
}
