package io.switchboard.route;

import io.switchboard.config.Cidr;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteKey;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The routes of one listener, compiled once: which action a request gets. Semantics are those of the
 * list: the first route (in config order) whose conditions all hold wins; when none does, the
 * listener's default pool.
 *
 * <p>Fast without changing that: each route is filed under one index key, its exact host names (a
 * hash map), its {@code *.suffix} host patterns (a map by suffix), or else its exact path (a hash
 * map), its path prefix or the literal start of its anchored path regex ({@code ^/img/...}: a trie);
 * routes with none of these go to a list checked for every request. A
 * request looks up the lists its host and path select, each sorted by route number, and in each
 * checks routes in order only until one matches or the number passes the best match so far. The
 * smallest matching number over all lists is the first match, as a linear scan would find it, but
 * with 1,000 host or prefix routes a request checks a handful. Regular expressions are compiled
 * here, once.
 *
 * <p>Values used as match keys (header, cookie and query values) are cut to {@link #MAX_KEY_LENGTH}
 * characters before they are compared, so a 64 KiB cookie costs no more than a 1 KiB one; a value
 * that differs only past that length compares equal.
 *
 * <p>Threading: immutable after construction apart from the hit counters (LongAdder); shared by all
 * event loops. A reload builds a new Router and the data plane swaps it in with the rest of the
 * routing, so a request sees either the old table or the new one.
 */
public final class Router {
    /** Header, cookie and query values longer than this are cut before they are compared. */
    public static final int MAX_KEY_LENGTH = 1024;
    private static final int MAX_HOST_LENGTH = 255;

    private final List<Rule> rules;
    private final RouteAction.Forward fallback;
    private final LongAdder fallbackHits = new LongAdder();
    private final Map<String, int[]> exactHosts;
    /**
     * Wildcard hosts by their suffix written backwards with its dot ("moc.elpmaxe." for
     * "*.example.com"): the request's host, read from its end, walks down to every suffix it has at
     * a label boundary, without making a string per label.
     */
    private final Trie wildcardHosts;
    private final Map<String, int[]> exactPaths;
    private final Trie prefixes;
    private final int[] unindexed;

    /** One compiled route. */
    private static final class Rule {
        final int index;
        final RouteConfig config;
        final Compiled match;
        final LongAdder hits = new LongAdder();

        Rule(int index, RouteConfig config) {
            this.index = index;
            this.config = config;
            this.match = new Compiled(config.match());
        }
    }

    /**
     * @param defaultPool where requests go that no route matches
     * @throws IllegalArgumentException for an invalid regular expression (the config loader checks first)
     */
    public Router(String defaultPool, List<RouteConfig> routes) {
        this.fallback = RouteAction.Forward.to(defaultPool);
        List<Rule> rs = new ArrayList<>(routes.size());
        Map<String, List<Integer>> hosts = new HashMap<>();
        Map<String, List<Integer>> wild = new HashMap<>();
        Map<String, List<Integer>> paths = new HashMap<>();
        TreeMap<String, List<Integer>> prefixLists = new TreeMap<>();
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig rc = routes.get(i);
            rs.add(new Rule(i, rc));
            RouteConfig.Match m = rc.match();
            if (!m.hosts().isEmpty()) {
                for (String h : m.hosts()) {
                    if (h.startsWith("*.")) wild.computeIfAbsent(new StringBuilder(h.substring(1)).reverse().toString(), k -> new ArrayList<>()).add(i);
                    else hosts.computeIfAbsent(h, k -> new ArrayList<>()).add(i);
                }
            } else if (m.path() != null) {
                paths.computeIfAbsent(m.path(), k -> new ArrayList<>()).add(i);
            } else if (m.pathPrefix() != null) {
                prefixLists.computeIfAbsent(m.pathPrefix(), k -> new ArrayList<>()).add(i);
            } else if (m.pathRegex() != null && !literalPrefix(m.pathRegex()).isEmpty()) {
                prefixLists.computeIfAbsent(literalPrefix(m.pathRegex()), k -> new ArrayList<>()).add(i);
            } else {
                rest.add(i);
            }
        }
        this.rules = List.copyOf(rs);
        this.exactHosts = freeze(hosts);
        this.wildcardHosts = new Trie(freeze(wild));
        this.exactPaths = freeze(paths);
        this.prefixes = new Trie(freeze(prefixLists));
        this.unindexed = ints(rest);
    }

    /**
     * The text every match of an anchored regex starts with ({@code /img/} for {@code ^/img/.*\.png$}),
     * so the route can be filed in the prefix trie; empty when there is none or it is not certain
     * (no {@code ^}, an alternation anywhere, a quantifier on the last literal character).
     */
    static String literalPrefix(String regex) {
        if (!regex.startsWith("^") || regex.indexOf('|') >= 0) return "";
        int i = 1;
        while (i < regex.length() && "\\.[]{}()*+?^$|".indexOf(regex.charAt(i)) < 0) i++;
        int end = i;
        if (i < regex.length() && "*?{+".indexOf(regex.charAt(i)) >= 0) end--; // the quantifier makes the last char optional
        return end <= 1 ? "" : regex.substring(1, end);
    }

    /** A listener without routes: every request to {@code defaultPool}. */
    public static Router none(String defaultPool) {
        return new Router(defaultPool, List.of());
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public RouteAction.Forward fallback() {
        return fallback;
    }

    /**
     * Routes one request. Never null: the matched route's action, the default forward, or, for a path
     * that {@link PathNormalizer} refuses, {@link RouteAction.Refused}. Counts the hit.
     */
    public Decision route(RouteRequest req) {
        Decision d = new Decision(req);
        if (rules.isEmpty()) {
            fallbackHits.increment();
            d.action = fallback;
            return d;
        }
        try {
            d.path = PathNormalizer.normalize(d.rawPath);
        } catch (PathNormalizer.RefusedPath e) {
            d.action = new RouteAction.Refused(e.getMessage());
            return d;
        }
        int best = Integer.MAX_VALUE;
        String host = d.host();
        if (host != null) {
            if (!exactHosts.isEmpty()) best = first(exactHosts.get(host), d, best);
            if (!wildcardHosts.isEmpty()) {
                Trie.Node n = wildcardHosts.root;
                // Down to index 1: a suffix is always preceded by at least one character of its own.
                for (int i = host.length() - 1; i >= 1 && n != null; i--) {
                    n = n.child(host.charAt(i));
                    if (n != null && n.rules != null) best = first(n.rules, d, best);
                }
            }
        }
        if (!exactPaths.isEmpty()) best = first(exactPaths.get(d.path), d, best);
        if (!prefixes.isEmpty()) {
            Trie.Node n = prefixes.root;
            String p = d.path;
            for (int i = 0; n != null; i++) {
                if (n.rules != null) best = first(n.rules, d, best);
                if (i == p.length()) break;
                n = n.child(p.charAt(i));
            }
        }
        best = first(unindexed, d, best);
        if (best == Integer.MAX_VALUE) {
            fallbackHits.increment();
            d.action = fallback;
        } else {
            Rule r = rules.get(best);
            r.hits.increment();
            d.action = r.config.action();
            d.rule = r.config.name();
        }
        return d;
    }

    /** The smallest route number below {@code best} in {@code candidates} (sorted) that matches, else {@code best}. */
    private int first(int[] candidates, Decision d, int best) {
        if (candidates == null) return best;
        for (int idx : candidates) {
            if (idx >= best) return best;
            if (rules.get(idx).match.test(d)) return idx;
        }
        return best;
    }

    /** Every route with its hits, in order, then the default as the last row. */
    public List<RuleStats> stats() {
        List<RuleStats> out = new ArrayList<>(rules.size() + 1);
        for (Rule r : rules) {
            out.add(new RuleStats(r.config.name(), r.config.match().describe(), r.config.action().toString(), r.hits.sum()));
        }
        out.add(new RuleStats("default", "no route matched", fallback.toString(), fallbackHits.sum()));
        return out;
    }

    /** One row of {@link #stats()}. */
    public record RuleStats(String name, String conditions, String action, long hits) {}

    /**
     * The outcome for one request and what the action needs of it: the normalised path, the query as
     * received, the host without port. Made per request; not shared.
     */
    public static final class Decision {
        private final RouteRequest req;
        final String rawPath;
        final String rawQuery;
        String path;
        private String host;
        private boolean hostDone;
        private byte[] client;
        RouteAction action;
        String rule;

        Decision(RouteRequest req) {
            this.req = req;
            String t = req.target();
            if (t == null) t = "/";
            int q = t.indexOf('?');
            this.rawPath = q < 0 ? t : t.substring(0, q);
            this.rawQuery = q < 0 ? null : t.substring(q + 1);
            this.path = rawPath;
        }

        public RouteAction action() { return action; }

        /** The matched route's name; null for the default. */
        public String rule() { return rule; }

        /** The normalised path (the path as received when the router has no routes). */
        public String path() { return path; }

        /** The query as received, without {@code ?}; null when there is none. */
        public String query() { return rawQuery; }

        /** The request's host in lower case, without port or trailing dot; null when it names none. */
        public String host() {
            if (!hostDone) {
                host = normalizeHost(req.host());
                hostDone = true;
            }
            return host;
        }

        /**
         * What the path-keyed algorithms (uri-hash, lard, lard-r) key this request by under a forward's
         * {@code key}: the value of its header, cookie or query parameter (cut to {@link
         * #MAX_KEY_LENGTH}), prefixed with the key so that it never equals a path; the path (normalised
         * when the router has routes) for {@link RouteKey#PATH} and when the request has no such value.
         */
        public String affinityKey(RouteKey key) {
            String v = switch (key.kind()) {
                case PATH -> null;
                case HEADER -> req.header(key.name());
                case COOKIE -> req.cookie(key.name());
                case QUERY -> queryParam(rawQuery, key.name());
            };
            return v == null || v.isEmpty() ? path : key + "=" + cut(v);
        }

        /** The location of a {@link RouteAction.Redirect} for this request. */
        public String location(RouteAction.Redirect r) {
            return r.locationFor(host(), path, rawQuery);
        }

        /** The target to forward for a {@link RouteAction.Forward} with a prefix rewrite; null to keep it. */
        public String rewrittenTarget(RouteAction.Forward f) {
            return f.rewrite(path, rawQuery);
        }

        byte[] client() {
            byte[] c = client;
            if (c == null) {
                c = req.clientAddressBytes();
                if (c == null) c = new byte[0];
                else if (c.length == 16 && isV4Mapped(c)) c = new byte[] {c[12], c[13], c[14], c[15]};
                client = c;
            }
            return c;
        }

        RouteRequest request() { return req; }
    }

    static String normalizeHost(String h) {
        if (h == null || h.isEmpty()) return null;
        String s = h.length() > MAX_HOST_LENGTH ? h.substring(0, MAX_HOST_LENGTH) : h;
        int end = s.length();
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0) end = colon;
        }
        if (end > 0 && s.charAt(end - 1) == '.') end--;
        s = s.substring(0, end);
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    static String cut(String v) {
        return v == null || v.length() <= MAX_KEY_LENGTH ? v : v.substring(0, MAX_KEY_LENGTH);
    }

    /** A route's conditions with regexes compiled. */
    private static final class Compiled {
        final RouteConfig.Match m;
        final Pattern pathRegex;
        final ValueTest[] headers;
        final ValueTest[] queries;
        final ValueTest[] cookies;
        final String[] hosts;
        final RouteConfig.StickCounter[] stickCounters;
        final Compiled not;

        Compiled(RouteConfig.Match m) {
            this.m = m;
            this.pathRegex = m.pathRegex() == null ? null : RouteConfig.compile(m.pathRegex());
            this.headers = m.headers().stream().map(ValueTest::new).toArray(ValueTest[]::new);
            this.queries = m.queries().stream().map(ValueTest::new).toArray(ValueTest[]::new);
            this.cookies = m.cookies().stream().map(ValueTest::new).toArray(ValueTest[]::new);
            this.hosts = m.hosts().toArray(String[]::new);
            this.stickCounters = m.stickCounters().toArray(RouteConfig.StickCounter[]::new);
            this.not = m.not() == null ? null : new Compiled(m.not());
        }

        boolean test(Decision d) {
            if (hosts.length > 0 && !hostMatches(d.host())) return false;
            if (m.path() != null && !m.path().equals(d.path)) return false;
            if (m.pathPrefix() != null && !d.path.startsWith(m.pathPrefix())) return false;
            if (pathRegex != null && !pathRegex.matcher(d.path).find()) return false;
            if (!m.methods().isEmpty() && !m.methods().contains(d.request().method())) return false;
            for (ValueTest t : headers) if (!t.test(d.request().header(t.name))) return false;
            for (ValueTest t : cookies) if (!t.test(d.request().cookie(t.name))) return false;
            for (ValueTest t : queries) if (!t.test(queryParam(d.rawQuery, t.name))) return false;
            if (!m.clients().isEmpty() && !clientMatches(d.client())) return false;
            // last: it takes the stick table's lock, the other conditions only read the request
            for (RouteConfig.StickCounter c : stickCounters) {
                if (d.request().stickCounter(c.pool(), c.counter()) <= c.above()) return false;
            }
            return not == null || !not.test(d);
        }

        private boolean hostMatches(String host) {
            if (host == null) return false;
            for (String h : hosts) {
                if (h.startsWith("*.")) {
                    if (host.length() > h.length() - 1 && host.endsWith(h.substring(1))) return true;
                } else if (h.equals(host)) {
                    return true;
                }
            }
            return false;
        }

        private boolean clientMatches(byte[] a) {
            if (a.length == 0) return false;
            for (Cidr c : m.clients()) if (c.contains(a)) return true;
            return false;
        }
    }

    /** A header, cookie or query condition, its regex compiled. */
    private static final class ValueTest {
        final String name;
        final RouteConfig.Test test;
        final String value;
        final Pattern regex;

        ValueTest(RouteConfig.ValueMatch v) {
            this.name = v.name();
            this.test = v.test();
            this.value = v.value();
            this.regex = v.test() == RouteConfig.Test.REGEX ? RouteConfig.compile(v.value()) : null;
        }

        boolean test(String actual) {
            if (actual == null) return false;
            return switch (test) {
                case PRESENT -> true;
                case EQUALS -> value.equals(cut(actual));
                case REGEX -> regex.matcher(cut(actual)).find();
            };
        }
    }

    /** The first value of a query parameter, percent-decoded (UTF-8); "" for a bare name; null when absent. */
    static String queryParam(String query, String name) {
        if (query == null) return null;
        int n = query.length();
        int i = 0;
        while (i <= n) {
            int amp = query.indexOf('&', i);
            if (amp < 0) amp = n;
            int eq = query.indexOf('=', i);
            int nameEnd = eq >= 0 && eq < amp ? eq : amp;
            if (nameEnd - i == name.length() && query.startsWith(name, i)) {
                return nameEnd == amp ? "" : percentDecode(cut(query.substring(nameEnd + 1, amp)));
            }
            i = amp + 1;
        }
        return null;
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, int[]> freeze(Map<String, List<Integer>> m) {
        Map<String, int[]> out = new HashMap<>(m.size() * 2);
        m.forEach((k, v) -> out.put(k, ints(v)));
        return out;
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    }

    /** Path prefixes (or reversed host suffixes), one char per level; a node holds the routes whose key ends there. */
    private static final class Trie {
        final Node root = new Node();
        private final boolean empty;

        Trie(Map<String, int[]> byPrefix) {
            this.empty = byPrefix.isEmpty();
            for (Map.Entry<String, int[]> e : byPrefix.entrySet()) {
                Node n = root;
                for (int i = 0; i < e.getKey().length(); i++) n = n.add(e.getKey().charAt(i));
                n.rules = e.getValue();
            }
        }

        boolean isEmpty() {
            return empty;
        }

        static final class Node {
            char[] keys = new char[0];
            Node[] kids = new Node[0];
            int[] rules;

            Node child(char c) {
                char[] k = keys;
                for (int i = 0; i < k.length; i++) if (k[i] == c) return kids[i];
                return null;
            }

            Node add(char c) {
                Node n = child(c);
                if (n != null) return n;
                n = new Node();
                int len = keys.length;
                keys = Arrays.copyOf(keys, len + 1);
                kids = Arrays.copyOf(kids, len + 1);
                keys[len] = c;
                kids[len] = n;
                return n;
            }
        }
    }
}
