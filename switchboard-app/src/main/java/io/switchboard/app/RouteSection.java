package io.switchboard.app;

import io.switchboard.balance.AffinityKey;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.Cidr;
import io.switchboard.config.HeaderEdit;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.NameSyntax;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteConfig.StickCounter;
import io.switchboard.config.RouteConfig.ValueMatch;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteKey;
import io.switchboard.config.ServiceClassConfig;
import io.switchboard.persist.StickTable;
import io.switchboard.route.PathNormalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a listener's {@code routes} list: each route's name, its {@code match} conditions and its
 * action ({@code pool} with its edits, {@code redirect}, {@code respond} or {@code deny}), with the
 * same precise problems (file, line, key, what is allowed) as the rest of {@link ConfigLoader}.
 * Warns about routes that can never match because an earlier route takes all their requests.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class RouteSection {
    static final List<String> ROUTE_KEYS = List.of("name", "match", "pool", "redirect", "respond", "deny", "class",
            "rewrite-prefix", "set-request-headers", "add-request-headers", "remove-request-headers", "set-response-headers",
            "add-response-headers", "remove-response-headers", "key", "cost");
    static final List<String> MATCH_KEYS = List.of("host", "path", "path-prefix", "path-regex", "method", "header", "query",
            "cookie", "client", "stick-counter", "not");
    static final List<String> STICK_COUNTER_KEYS = List.of("pool", "counter", "above");
    static final List<String> VALUE_KEYS = List.of("name", "present", "equals", "regex");
    static final List<String> ACTIONS = List.of("pool", "redirect", "respond", "deny");
    static final List<String> FORWARD_ONLY = List.of("class", "rewrite-prefix", "set-request-headers", "add-request-headers",
            "remove-request-headers", "set-response-headers", "add-response-headers", "remove-response-headers", "key", "cost");

    private RouteSection() {}

    /**
     * @param listener the listener's section
     * @param pools the pools of the file, for checking {@code pool:}
     * @return the routes read without error, in order (empty when there are none)
     */
    static List<RouteConfig> read(Section listener, Map<String, YamlNode.Entry> pools, Map<String, PoolConfig> poolConfigs) {
        YamlNode.Sequence list = listener.list("routes");
        if (list == null) return List.of();
        Problems problems = listener.problems();
        List<RouteConfig> routes = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        boolean complete = true;
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = listener.keyPath("routes") + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                problems.error(item, path, "expected a route (match: ..., and one of " + String.join(", ", ACTIONS) + "); found " + item.kind());
                complete = false;
                continue;
            }
            Section s = Section.open(item, path, item.line(), item.column(), problems, ROUTE_KEYS);
            String name = s.value("name", "route-" + i, NameSyntax::parse);
            Integer first = names.putIfAbsent(name, item.line());
            if (first != null) {
                problems.error(s.has("name") ? s.entry("name").value() : item, s.keyPath("name"),
                        "duplicate route name '" + name + "' (first at line " + first + ")");
            }
            int before = problems.errorCount();
            Match match = s.has("match") ? match(s.section("match", MATCH_KEYS), 0, pools, poolConfigs) : Match.ANY;
            RouteAction action = action(s, pools, poolConfigs);
            if (match == null || action == null || problems.errorCount() != before) {
                complete = false;
                continue;
            }
            routes.add(new RouteConfig(name, match, action));
            lines.add(item.line());
        }
        if (complete) warnShadowed(listener, routes, lines);
        return routes;
    }

    private static void warnShadowed(Section listener, List<RouteConfig> routes, List<Integer> lines) {
        int[] by = RouteConfig.shadowing(routes);
        for (int i = 0; i < by.length; i++) {
            if (by[i] < 0) continue;
            RouteConfig earlier = routes.get(by[i]);
            listener.problems().warn(lines.get(i), 1, listener.keyPath("routes") + "[" + i + "]",
                    "route '" + routes.get(i).name() + "' can never match: route '" + earlier.name() + "' (line "
                            + lines.get(by[i]) + ") comes first and takes every request it would match ("
                            + earlier.match().describe() + ")");
        }
    }

    /** The conditions of {@code match} (or of its {@code not}); null after an error. */
    private static Match match(Section m, int depth, Map<String, YamlNode.Entry> pools, Map<String, PoolConfig> poolConfigs) {
        Problems problems = m.problems();
        int before = problems.errorCount();
        Match.Builder b = new Match.Builder();
        for (String h : strings(m, "host", Match::host)) b.hosts(h);
        List<String> paths = m.present(List.of("path", "path-prefix", "path-regex"));
        if (paths.size() > 1) {
            YamlNode.Entry e = m.entry(paths.get(1));
            problems.error(e.line(), e.column(), m.keyPath(paths.get(1)),
                    "give one of path, path-prefix and path-regex, not several (have: " + String.join(", ", paths) + ")");
        }
        b.path(m.value("path", null, RouteSection::path));
        b.pathPrefix(m.value("path-prefix", null, RouteSection::path));
        b.pathRegex(m.value("path-regex", null, RouteSection::regex));
        for (String x : strings(m, "method", RouteSection::method)) b.methods(x);
        for (ValueMatch v : values(m, "header", true)) b.header(v);
        for (ValueMatch v : values(m, "query", false)) b.query(v);
        for (ValueMatch v : values(m, "cookie", false)) b.cookie(v);
        for (Cidr c : strings(m, "client", Cidr::parse)) b.clients(c);
        for (StickCounter c : stickCounters(m, pools, poolConfigs)) b.stickCounter(c);
        if (m.has("not")) {
            if (depth > 0) {
                YamlNode.Entry e = m.entry("not");
                problems.error(e.line(), e.column(), m.keyPath("not"), "'not' cannot be nested (write the conditions out)");
            } else {
                Match not = match(m.section("not", MATCH_KEYS), 1, pools, poolConfigs);
                if (not != null) b.not(not);
            }
        }
        if (problems.errorCount() != before) return null;
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            problems.error(m.line(), m.column(), m.path(), ex.getMessage());
            return null;
        }
    }

    /** A value or a list of values, each parsed; problems at the item. */
    private static <T> List<T> strings(Section s, String key, Function<String, T> parse) {
        YamlNode.Entry e = s.entry(key);
        if (e == null) return List.of();
        List<YamlNode> items = e.value() instanceof YamlNode.Sequence seq ? seq.items() : List.of(e.value());
        List<T> out = new ArrayList<>();
        for (YamlNode n : items) {
            if (!(n instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                s.problems().error(n, s.keyPath(key), "expected a value or a list of values; found " + n.kind());
                continue;
            }
            if (sc.broken()) continue;
            try {
                out.add(parse.apply(sc.text()));
            } catch (IllegalArgumentException ex) {
                s.problems().error(n, s.keyPath(key), ex.getMessage());
            }
        }
        return out;
    }

    /** {@code {name: X, equals: v}} (or {@code present: true}, {@code regex: ...}), or a list of them. */
    private static List<ValueMatch> values(Section s, String key, boolean header) {
        YamlNode.Entry e = s.entry(key);
        if (e == null) return List.of();
        List<YamlNode> items = e.value() instanceof YamlNode.Sequence seq ? seq.items() : List.of(e.value());
        List<ValueMatch> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            YamlNode n = items.get(i);
            String path = s.keyPath(key) + (e.value() instanceof YamlNode.Sequence ? "[" + i + "]" : "");
            if (!(n instanceof YamlNode.Mapping)) {
                s.problems().error(n, path, "expected {name: ..., equals: ...} (or present: true, or regex: ...); found " + n.kind());
                continue;
            }
            Section v = Section.open(n, path, n.line(), n.column(), s.problems(), VALUE_KEYS);
            String name = v.required("name", "the " + key + "'s name", header ? RouteSection::headerName : x -> x);
            List<String> tests = v.present(List.of("present", "equals", "regex"));
            if (tests.size() != 1) {
                s.problems().error(n, path, tests.isEmpty() ? "give one of present: true, equals: ..., regex: ..."
                        : "give one of present, equals and regex, not several (have: " + String.join(", ", tests) + ")");
                continue;
            }
            if (name == null) continue;
            switch (tests.get(0)) {
                case "present" -> {
                    if (v.bool("present", true)) {
                        out.add(new ValueMatch(name, RouteConfig.Test.PRESENT, null));
                    } else {
                        YamlNode.Entry p = v.entry("present");
                        s.problems().error(p.line(), p.column(), v.keyPath("present"),
                                "only 'present: true' is allowed (for absence, put the condition under 'not')");
                    }
                }
                case "equals" -> {
                    String eq = v.value("equals", null, x -> x);
                    if (eq != null) out.add(new ValueMatch(name, RouteConfig.Test.EQUALS, eq));
                }
                default -> {
                    String re = v.value("regex", null, RouteSection::regex);
                    if (re != null) out.add(new ValueMatch(name, RouteConfig.Test.REGEX, re));
                }
            }
        }
        return out;
    }

    /**
     * {@code stick-counter: {pool: P, counter: C, above: N}}, or a list of them. The pool must keep a
     * stick table (stick or app-cookie persistence): the condition reads its counters.
     */
    private static List<StickCounter> stickCounters(Section s, Map<String, YamlNode.Entry> pools, Map<String, PoolConfig> poolConfigs) {
        String key = "stick-counter";
        YamlNode.Entry e = s.entry(key);
        if (e == null) return List.of();
        List<YamlNode> items = e.value() instanceof YamlNode.Sequence seq ? seq.items() : List.of(e.value());
        List<StickCounter> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            YamlNode n = items.get(i);
            String path = s.keyPath(key) + (e.value() instanceof YamlNode.Sequence ? "[" + i + "]" : "");
            if (!(n instanceof YamlNode.Mapping)) {
                s.problems().error(n, path, "expected {pool: ..., counter: ..., above: ...}; found " + n.kind());
                continue;
            }
            Section c = Section.open(n, path, n.line(), n.column(), s.problems(), STICK_COUNTER_KEYS);
            String pool = c.required("pool", "a pool with a stick table", x -> stickPool(x, pools, poolConfigs));
            RouteConfig.Counter counter = c.required("counter", String.join(", ", RouteConfig.Counter.words()), RouteSection::counter);
            Long above = c.required("above", "a whole number, 0 or more", RouteSection::above);
            if (pool != null && counter != null && above != null) out.add(new StickCounter(pool, counter, above));
        }
        return out;
    }

    /** A pool that keeps a stick table; a pool with errors of its own is taken as it is. */
    private static String stickPool(String pool, Map<String, YamlNode.Entry> pools, Map<String, PoolConfig> poolConfigs) {
        if (!pools.containsKey(pool)) {
            String known = pools.isEmpty() ? "none defined" : "pools: " + String.join(", ", pools.keySet());
            throw new IllegalArgumentException("no pool named '" + pool + "'" + Spelling.suggestion(pool, pools.keySet()) + " (" + known + ")");
        }
        PoolConfig pc = poolConfigs.get(pool);
        if (pc == null || hasTable(pc)) return pool;
        List<String> withTable = poolConfigs.values().stream().filter(RouteSection::hasTable).map(PoolConfig::name).sorted().toList();
        throw new IllegalArgumentException("pool '" + pool + "' keeps no stick table, so it has no counters (a pool with"
                + " persistence stick or app-cookie has one; " + (withTable.isEmpty() ? "no pool has one"
                : "pools with one: " + String.join(", ", withTable)) + ")");
    }

    private static boolean hasTable(PoolConfig pc) {
        return pc.persistence() instanceof PersistenceConfig.Stick || pc.persistence() instanceof PersistenceConfig.AppCookie;
    }

    private static RouteConfig.Counter counter(String word) {
        try {
            return RouteConfig.Counter.parse(word);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("unknown counter '" + word + "'" + Spelling.suggestion(word, RouteConfig.Counter.words())
                    + " (allowed: " + String.join(", ", RouteConfig.Counter.words()) + ")");
        }
    }

    private static Long above(String text) {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number (allowed: 0 or more; rates are per "
                    + StickTable.RATE_PERIOD_SECONDS + " s)");
        }
        if (v < 0) throw new IllegalArgumentException(v + " is out of range (allowed: 0 or more)");
        return v;
    }

    /** The route's action; null after an error. */
    private static RouteAction action(Section s, Map<String, YamlNode.Entry> pools, Map<String, PoolConfig> poolConfigs) {
        Problems problems = s.problems();
        List<String> actions = s.present(ACTIONS);
        if (actions.size() != 1) {
            if (actions.isEmpty()) {
                problems.error(s.line(), s.column(), s.path(), "the route has no action (give one of " + String.join(", ", ACTIONS) + ")");
            } else {
                YamlNode.Entry e = s.entry(actions.get(1));
                problems.error(e.line(), e.column(), s.keyPath(actions.get(1)),
                        "a route has one action; this one has " + String.join(", ", actions));
            }
            return null;
        }
        String kind = actions.get(0);
        if (!kind.equals("pool")) {
            for (String k : s.present(FORWARD_ONLY)) {
                YamlNode.Entry e = s.entry(k);
                problems.error(e.line(), e.column(), s.keyPath(k), "'" + k + "' only goes with 'pool' (this route's action is " + kind + ")");
            }
        }
        YamlNode.Entry at = s.entry(kind);
        try {
            switch (kind) {
                case "deny" -> {
                    if (!s.bool("deny", true)) {
                        problems.error(at.line(), at.column(), s.keyPath("deny"), "only 'deny: true' is allowed (remove the key otherwise)");
                        return null;
                    }
                    return RouteAction.Respond.deny();
                }
                case "respond" -> {
                    Section r = s.section("respond", List.of("status", "body", "retry-after"));
                    Integer status = r.required("status", "200-599", x -> IntegerSyntax.parse(x, 200, 599));
                    String body = r.value("body", "", x -> x);
                    Duration retryAfter = r.duration("retry-after", Duration.ZERO, true);
                    // Retry-After counts whole seconds: a fraction is rounded up, never down to "retry now"
                    long seconds = retryAfter.toSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
                    return status == null ? null : new RouteAction.Respond(status, body, seconds);
                }
                case "redirect" -> {
                    Section r = s.section("redirect", List.of("status", "location"));
                    int status = r.integer("status", 302, 301, 308);
                    String location = r.required("location", "a URL; {host}, {path} and {query} are filled in", x -> x);
                    if (location == null) return null;
                    try {
                        return new RouteAction.Redirect(status, location);
                    } catch (IllegalArgumentException ex) {
                        YamlNode.Entry where = ex.getMessage().contains("redirect status") ? r.entry("status") : r.entry("location");
                        problems.error(where.value(), r.keyPath(where.key()), ex.getMessage());
                        return null;
                    }
                }
                default -> {
                    return forward(s, pools, poolConfigs);
                }
            }
        } catch (IllegalArgumentException ex) {
            problems.error(at.value(), s.keyPath(kind), ex.getMessage());
            return null;
        }
    }

    private static RouteAction.Forward forward(Section s, Map<String, YamlNode.Entry> pools, Map<String, PoolConfig> poolConfigs) {
        Problems problems = s.problems();
        String pool = s.value("pool", null, x -> x);
        if (pool != null && !pools.containsKey(pool)) {
            YamlNode.Entry pe = s.entry("pool");
            String known = pools.isEmpty() ? "none defined" : "pools: " + String.join(", ", pools.keySet());
            problems.error(pe.value(), s.keyPath("pool"), "no pool named '" + pool + "'" + Spelling.suggestion(pool, pools.keySet()) + " (" + known + ")");
            pool = null;
        }
        String serviceClass = s.value("class", null, NameSyntax::parse);
        PoolConfig target = pool == null ? null : poolConfigs.get(pool);
        if (serviceClass != null && target != null && target.classRank(serviceClass) < 0) {
            List<String> classes = target.classes().stream().map(ServiceClassConfig::name).toList();
            problems.error(s.entry("class").value(), s.keyPath("class"), "pool '" + pool + "' has no service class '" + serviceClass + "'"
                    + Spelling.suggestion(serviceClass, classes) + " (classes: " + String.join(", ", classes) + ")");
            serviceClass = null;
        }
        String from = null;
        String to = null;
        if (s.has("rewrite-prefix")) {
            Section r = s.section("rewrite-prefix", List.of("from", "to"));
            from = r.required("from", "a path prefix, e.g. /api/", RouteSection::path);
            to = r.required("to", "the prefix to put in its place, e.g. /", RouteSection::path);
            if (from == null || to == null) return null;
            try {
                new RouteAction.Forward("x", null, List.of(), List.of(), from, to);
            } catch (IllegalArgumentException ex) {
                problems.error(r.entry("to").value(), r.keyPath("to"), ex.getMessage());
                return null;
            }
        }
        List<HeaderEdit> request = new ArrayList<>();
        List<HeaderEdit> response = new ArrayList<>();
        edits(s, "remove-request-headers", HeaderEdit.Op.REMOVE, request);
        edits(s, "set-request-headers", HeaderEdit.Op.SET, request);
        edits(s, "add-request-headers", HeaderEdit.Op.ADD, request);
        edits(s, "remove-response-headers", HeaderEdit.Op.REMOVE, response);
        edits(s, "set-response-headers", HeaderEdit.Op.SET, response);
        edits(s, "add-response-headers", HeaderEdit.Op.ADD, response);
        RouteKey key = routeKey(s, target);
        int cost = routeCost(s, target);
        if (pool == null) return null;
        return new RouteAction.Forward(pool, serviceClass, request, response, from, to, key, cost);
    }

    /**
     * {@code key}: what the pool's algorithm keys the route's requests by; a warning when the pool's
     * algorithm keys on something else (the client address) or on nothing.
     */
    private static RouteKey routeKey(Section s, PoolConfig pool) {
        RouteKey key = s.value("key", RouteKey.PATH, RouteKey::parse);
        if (s.has("key") && pool != null && Algorithms.exists(pool.algorithm())
                && Algorithms.byName(pool.algorithm()).affinityKey() != AffinityKey.PATH) {
            YamlNode.Entry e = s.entry("key");
            s.problems().warn(e.line(), e.column(), s.keyPath("key"), "only used by uri-hash, lard and lard-r; pool '" + pool.name()
                    + "' uses " + pool.algorithm() + ", so it is ignored");
        }
        return key;
    }

    /**
     * {@code cost}: what one request of the route costs a back end, in ordinary requests (1); a warning
     * when the pool's algorithm does not read load, which ignores it.
     */
    private static int routeCost(Section s, PoolConfig pool) {
        int cost = s.integer("cost", RouteAction.Forward.DEFAULT_COST, 1, RouteAction.Forward.MAX_COST);
        if (s.has("cost") && pool != null && Algorithms.exists(pool.algorithm()) && !Algorithms.byName(pool.algorithm()).readsLoad()) {
            YamlNode.Entry e = s.entry("cost");
            s.problems().warn(e.line(), e.column(), s.keyPath("cost"), "only used by least-load and chain; pool '" + pool.name()
                    + "' uses " + pool.algorithm() + ", so it is ignored");
        }
        return cost;
    }

    /** {@code remove-*: [Name, ...]}, or {@code set-*} / {@code add-*: {Name: value, ...}}. */
    private static void edits(Section s, String key, HeaderEdit.Op op, List<HeaderEdit> out) {
        YamlNode.Entry e = s.entry(key);
        if (e == null) return;
        Problems problems = s.problems();
        if (op == HeaderEdit.Op.REMOVE) {
            for (String n : strings(s, key, RouteSection::editableName)) out.add(new HeaderEdit(op, n, null));
            return;
        }
        if (!(e.value() instanceof YamlNode.Mapping m)) {
            problems.error(e.value(), s.keyPath(key), "expected a map of header name to value, e.g. {X-Tier: gold}; found " + e.value().kind());
            return;
        }
        for (YamlNode.Entry f : m.entries().values()) {
            String path = s.keyPath(key) + "." + f.key();
            if (!(f.value() instanceof YamlNode.Scalar v) || v.broken()) {
                problems.error(f.value(), path, "expected a value; found " + f.value().kind());
                continue;
            }
            try {
                out.add(new HeaderEdit(op, f.key(), v.isEmpty() ? "" : v.text()));
            } catch (IllegalArgumentException ex) {
                problems.error(f.line(), f.column(), path, ex.getMessage());
            }
        }
    }

    /** A field name to match on: any RFC 9110 token. */
    private static String headerName(String n) {
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("'" + n + "' is not a valid header name (RFC 9110 token characters only)");
            }
        }
        return n;
    }

    /** A field name an edit may touch: a token, not one of {@link HeaderEdit#PROTECTED}. */
    private static String editableName(String n) {
        HeaderEdit.checkName(n);
        return n;
    }

    /** A path as routes match it: normalised, or it could never match (see {@link PathNormalizer}). */
    private static String path(String p) {
        if (!p.startsWith("/")) throw new IllegalArgumentException("'" + p + "' must start with '/'");
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c >= 127 || c == '?' || c == '#') {
                throw new IllegalArgumentException("'" + p + "' must not contain spaces, controls, '?' or '#'");
            }
        }
        String n;
        try {
            n = PathNormalizer.normalize(p);
        } catch (PathNormalizer.RefusedPath ex) {
            throw new IllegalArgumentException("'" + p + "' could never match: requests with such a path are refused ("
                    + ex.getMessage() + ")");
        }
        if (!n.equals(p)) {
            throw new IllegalArgumentException("'" + p + "' could never match: paths are matched normalised (write '" + n + "')");
        }
        return p;
    }

    private static String regex(String r) {
        RouteConfig.compile(r);
        return r;
    }

    private static String method(String m) {
        if (m.isEmpty() || !m.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("'" + m + "' is not a method (methods are upper case, e.g. GET, POST)");
        }
        return m;
    }
}
