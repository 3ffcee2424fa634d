package io.switchboard.app;

import io.switchboard.balance.Algorithms;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.sim.Distribution;
import io.switchboard.sim.Scenario;
import io.switchboard.sim.Simulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a simulator scenario file ({@code switchboard simulate -c FILE}) into a {@link Scenario},
 * with the config loader's YAML reader and sections: every mistake is reported at once as
 * {@code file:line: key: message}, unknown keys with the nearest allowed one. The format is
 * described in docs/simulator.md.
 *
 * <p>Threading: stateless; each load has its own {@link Problems}.
 */
final class ScenarioLoader {
    /** The scenarios shipped in the simulator's jar, by name: {@code -c NAME} finds them. */
    static final List<String> SHIPPED = List.of("balls-into-bins", "slow-server", "stale-load", "lard", "ncsa");

    static final List<String> ROOT_KEYS = List.of("scenario", "title", "description", "kind", "algorithms", "seed", "duration",
            "warmup", "interval", "pool", "servers", "clients", "workload", "events", "load-reports", "health-checks", "bins",
            "sweep", "resolvers");
    private static final List<String> POOL_KEYS = List.of("slow-start", "retries", "passive", "report-max-age");
    private static final List<String> PASSIVE_KEYS = List.of("consecutive-failures", "base-ejection", "max-ejection",
            "max-ejection-percent");
    private static final List<String> GROUP_KEYS = List.of("group", "count", "weight", "capacity", "queue", "max-connections",
            "service", "cache");
    private static final List<String> DISTRIBUTION_KEYS = List.of("distribution", "mean", "cv", "alpha");
    private static final List<String> CACHE_KEYS = List.of("objects", "hit", "miss");
    private static final List<String> CLIENT_KEYS = List.of("arrivals", "rate", "count", "think");
    private static final List<String> WORKLOAD_KEYS = List.of("objects", "zipf");
    private static final List<String> EVENT_KEYS = List.of("at", "group", "action", "factor");
    private static final List<String> REPORT_KEYS = List.of("interval");
    private static final List<String> CHECK_KEYS = List.of("interval", "rise", "fall");
    private static final List<String> BINS_KEYS = List.of("balls-per-server", "trials");
    private static final List<String> SWEEP_KEYS = List.of("key", "values");
    private static final List<String> RESOLVER_KEYS = List.of("ttl", "records", "sizes");

    private static final Map<String, Scenario.Kind> KINDS = words(Scenario.Kind.TRAFFIC, Scenario.Kind.BALLS_INTO_BINS);
    private static final Map<String, Scenario.Arrivals> ARRIVALS = Map.of("poisson", Scenario.Arrivals.POISSON,
            "fixed", Scenario.Arrivals.FIXED);
    private static final Map<String, Scenario.Action> ACTIONS = orderedOf("fail", Scenario.Action.FAIL, "recover",
            Scenario.Action.RECOVER, "slow", Scenario.Action.SLOW);
    private static final List<String> DISTRIBUTIONS = List.of("constant", "exponential", "lognormal", "pareto");

    private ScenarioLoader() {}

    /**
     * The scenario in {@code file}; when there is no such file (a directory of results may have the
     * scenario's name) and {@code file} is the name of a shipped scenario, that one.
     */
    static Scenario load(Path file) throws ConfigException {
        String name = file.toString();
        String shippedText = Files.isRegularFile(file) ? null : shipped(name);
        if (shippedText != null) return parse(shippedText, name);
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(fileProblem(name, "no such file (shipped scenarios: " + String.join(", ", SHIPPED) + ")"));
        } catch (CharacterCodingException e) {
            throw new ConfigException(fileProblem(name, "not UTF-8 text"));
        } catch (IOException e) {
            throw new ConfigException(fileProblem(name, "cannot read: " + e.getMessage()));
        }
        return parse(text, name);
    }

    /** The text of a shipped scenario, or null when there is none of that name. */
    static String shipped(String name) {
        if (!SHIPPED.contains(name)) return null;
        try (InputStream in = ScenarioLoader.class.getResourceAsStream("/scenarios/" + name + ".yaml")) {
            if (in == null) return null;
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    static Scenario parse(String yaml, String fileName) throws ConfigException {
        Problems problems = new Problems(fileName);
        Scenario s = read(yaml, problems);
        if (problems.hasErrors() || s == null) throw new ConfigException(problems.errors());
        return s;
    }

    private static ConfigProblem fileProblem(String file, String message) {
        return new ConfigProblem(ConfigProblem.Severity.ERROR, file, 0, 0, "", message);
    }

    private static Scenario read(String yaml, Problems problems) {
        YamlNode tree = YamlTreeReader.read(yaml, problems);
        if (tree == null) return null;
        if (!(tree instanceof YamlNode.Mapping)) {
            problems.error(tree, "", "expected a mapping with keys " + String.join(", ", ROOT_KEYS) + "; found " + tree.kind());
            return null;
        }
        Section root = Section.open(tree, "", tree.line(), tree.column(), problems, ROOT_KEYS);
        String name = root.required("scenario", "the scenario's name, e.g. slow-server", s -> s);
        String title = root.value("title", null, s -> s);
        String description = root.value("description", null, s -> s);
        Scenario.Kind kind = root.choice("kind", Scenario.Kind.TRAFFIC, KINDS);
        List<String> algorithms = algorithms(root);
        long seed = root.value("seed", 1L, ScenarioLoader::parseLong);
        Duration duration = root.duration("duration", Duration.ofSeconds(60), true);
        Duration warmup = root.duration("warmup", Duration.ofSeconds(5), false);
        Duration interval = root.duration("interval", Duration.ofSeconds(1), true);
        if (!warmup.minus(duration).isNegative() && root.has("warmup")) {
            YamlNode.Entry e = root.entry("warmup");
            problems.error(e.line(), e.column(), "warmup", "must be shorter than duration (" + DurationSyntax.format(duration) + ")");
        }
        Scenario.PoolSpec pool = pool(root.section("pool", POOL_KEYS));
        List<String> groupNames = new ArrayList<>();
        List<Scenario.ServerGroup> groups = servers(root, kind, groupNames);
        Scenario.Clients clients = kind == Scenario.Kind.TRAFFIC ? clients(root) : null;
        Scenario.Workload workload = root.has("workload") ? workload(root.section("workload", WORKLOAD_KEYS)) : null;
        if (workload == null) {
            for (Scenario.ServerGroup g : groups) {
                if (g.cache() != null) {
                    root.problems().error(root.line(), root.column(), "workload",
                            "required when a server group has a cache (group '" + g.name() + "'): the objects the requests name,"
                                    + " e.g. {objects: 10000, zipf: 1.0}");
                    break;
                }
            }
        }
        List<Scenario.TimedEvent> events = events(root, groupNames);
        Scenario.LoadReports reports = null;
        if (root.has("load-reports")) {
            Section r = root.section("load-reports", REPORT_KEYS);
            reports = new Scenario.LoadReports(r.duration("interval", Duration.ofSeconds(1), true).toNanos());
        }
        Scenario.HealthChecks checks = null;
        if (root.has("health-checks")) {
            Section h = root.section("health-checks", CHECK_KEYS);
            checks = new Scenario.HealthChecks(h.duration("interval", Duration.ofSeconds(2), true).toNanos(),
                    h.integer("rise", 2, 1, 100), h.integer("fall", 3, 1, 100));
        }
        Scenario.Bins bins = null;
        if (kind == Scenario.Kind.BALLS_INTO_BINS) {
            Section b = root.section("bins", BINS_KEYS);
            bins = new Scenario.Bins(b.integer("balls-per-server", 1, 1, 1000), b.integer("trials", 10, 1, 10_000));
        }
        Scenario.Sweep sweep = root.has("sweep") ? sweep(root.section("sweep", SWEEP_KEYS)) : null;
        Scenario.Resolvers resolvers = root.has("resolvers") ? resolvers(root.section("resolvers", RESOLVER_KEYS)) : null;
        if (sweep != null && sweep.key().startsWith("resolvers.") && resolvers == null && root.has("sweep")) {
            YamlNode.Entry e = root.entry("sweep");
            problems.error(e.line(), e.column(), "sweep.key", "sweeps " + sweep.key() + ", but the scenario has no 'resolvers:' section");
        }
        if (problems.hasErrors() || name == null) return null;
        try {
            return new Scenario(name, title, description, kind, algorithms, seed,
                    new Scenario.Traffic(duration.toNanos(), warmup.toNanos(), interval.toNanos()), pool, groups, clients, workload,
                    events, reports, checks, bins, sweep, resolvers);
        } catch (IllegalArgumentException e) {
            problems.error(root.line(), root.column(), "", e.getMessage());
            return null;
        }
    }

    private static List<String> algorithms(Section root) {
        YamlNode.Sequence list = root.list("algorithms");
        List<String> out = new ArrayList<>();
        if (list == null) {
            root.problems().error(root.line(), root.column(), "algorithms",
                    "required key is missing (a list of algorithms to compare, e.g. [round-robin, p2c])");
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String key = "algorithms[" + i + "]";
            if (!(item instanceof YamlNode.Scalar s) || s.isEmpty()) {
                root.problems().error(item, key, "expected an algorithm name; found " + item.kind());
                continue;
            }
            if (!s.text().startsWith("chain(") && !Algorithms.exists(s.text())) {
                root.problems().error(item, key, "unknown algorithm '" + s.text() + "'" + Spelling.suggestion(s.text(), Algorithms.names())
                        + " (allowed: " + String.join(", ", Algorithms.names()) + ", or chain(step, ...))");
                continue;
            }
            try {
                Simulator.algorithm(s.text(), Scenario.PoolSpec.DEFAULT);
            } catch (IllegalArgumentException e) {
                root.problems().error(item, key, e.getMessage());
                continue;
            }
            out.add(s.text());
        }
        if (out.isEmpty() && list.items().isEmpty()) root.problems().error(list, "algorithms", "must name at least one algorithm");
        return out;
    }

    private static Scenario.PoolSpec pool(Section p) {
        Scenario.PoolSpec d = Scenario.PoolSpec.DEFAULT;
        Section passive = p.section("passive", PASSIVE_KEYS);
        return new Scenario.PoolSpec(p.duration("slow-start", Duration.ZERO, false).toNanos(),
                passive.integer("consecutive-failures", 0, 0, 1000),
                passive.duration("base-ejection", Duration.ofNanos(d.baseEjectionNanos()), true).toNanos(),
                passive.duration("max-ejection", Duration.ofNanos(d.maxEjectionNanos()), true).toNanos(),
                passive.integer("max-ejection-percent", 100, 0, 100),
                p.integer("retries", d.retries(), 0, 10),
                p.duration("report-max-age", Duration.ofNanos(d.reportMaxAgeNanos()), true).toNanos());
    }

    /** @param names receives every group's name, also of groups with mistakes (events refer to them) */
    private static List<Scenario.ServerGroup> servers(Section root, Scenario.Kind kind, List<String> names) {
        List<Scenario.ServerGroup> out = new ArrayList<>();
        YamlNode.Sequence list = root.list("servers");
        if (list == null) {
            root.problems().error(root.line(), root.column(), "servers",
                    "required key is missing (a list of server groups, e.g. '- group: web' with 'count: 10')");
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            Section g = Section.open(item, "servers[" + i + "]", item.line(), item.column(), root.problems(), GROUP_KEYS);
            int errors = root.problems().errorCount();
            String name = g.required("group", "a name for the group, e.g. fast", s -> s);
            if (name != null) names.add(name);
            for (Scenario.ServerGroup other : out) {
                if (other.name().equals(name)) {
                    YamlNode.Entry e = g.entry("group");
                    root.problems().error(e.line(), e.column(), g.keyPath("group"), "group '" + name + "' is named twice");
                }
            }
            int count = g.integer("count", 1, 1, 1_000_000);
            int weight = g.integer("weight", 1, 0, 256);
            int capacity = g.integer("capacity", 1, 1, 1_000_000);
            int queue = g.integer("queue", 1000, 0, 1_000_000);
            int maxConn = g.integer("max-connections", 0, 0, 1_000_000);
            Scenario.Cache cache = null;
            if (g.has("cache")) {
                Section c = g.section("cache", CACHE_KEYS);
                cache = new Scenario.Cache(c.integer("objects", 1000, 1, 100_000_000), distribution(c, "hit", true),
                        distribution(c, "miss", true));
            }
            // with a cache, every request costs a hit or a miss: 'service' is not needed
            Distribution service = kind == Scenario.Kind.TRAFFIC ? distribution(g, "service", cache == null)
                    : new Distribution.Constant(0);
            if (service == null && cache != null) service = cache.miss();
            if (root.problems().errorCount() == errors && name != null && service != null) {
                out.add(new Scenario.ServerGroup(name, count, weight, capacity, queue, service, maxConn, cache));
            }
        }
        return out;
    }

    /** A duration ({@code 5ms}: constant) or a mapping with {@code distribution} and {@code mean} (and cv, alpha). */
    private static Distribution distribution(Section parent, String key, boolean required) {
        YamlNode.Entry e = parent.entry(key);
        if (e == null) {
            if (required) {
                parent.problems().error(parent.line(), parent.column(), parent.keyPath(key),
                        "required key is missing (a duration such as 5ms, or {distribution: exponential, mean: 5ms})");
            }
            return null;
        }
        if (e.value() instanceof YamlNode.Scalar) {
            Duration d = parent.duration(key, null, false);
            return d == null ? null : new Distribution.Constant(d.toNanos());
        }
        Section d = Section.open(e.value(), parent.keyPath(key), e.line(), e.column(), parent.problems(), DISTRIBUTION_KEYS);
        Map<String, String> kinds = new LinkedHashMap<>();
        for (String w : DISTRIBUTIONS) kinds.put(w, w);
        String kind = d.choice("distribution", "exponential", kinds);
        Duration mean = d.required("mean", "e.g. 5ms", DurationSyntax::parse);
        double cv = d.value("cv", 1.0, s -> positive(s, 0));
        double alpha = d.value("alpha", 2.5, s -> positive(s, 1));
        if (mean == null) return null;
        try {
            return switch (kind) {
                case "constant" -> new Distribution.Constant(mean.toNanos());
                case "lognormal" -> new Distribution.LogNormal(mean.toNanos(), cv);
                case "pareto" -> new Distribution.Pareto(mean.toNanos(), alpha);
                default -> new Distribution.Exponential(mean.toNanos());
            };
        } catch (IllegalArgumentException ex) {
            parent.problems().error(e.value(), parent.keyPath(key), ex.getMessage());
            return null;
        }
    }

    private static Scenario.Clients clients(Section root) {
        if (!root.has("clients")) {
            root.problems().error(root.line(), root.column(), "clients",
                    "required key is missing (open loop: 'rate: 5000' requests per second; closed loop: 'count: 100' and 'think: 1s')");
            return null;
        }
        Section c = root.section("clients", CLIENT_KEYS);
        boolean open = c.has("rate");
        if (open == c.has("count")) {
            root.problems().error(c.line(), c.column(), "clients",
                    "give either 'rate' (open loop: requests per second) or 'count' (closed loop: clients that wait for each answer)");
            return null;
        }
        if (open) {
            if (c.has("think")) {
                YamlNode.Entry e = c.entry("think");
                root.problems().error(e.line(), e.column(), c.keyPath("think"), "only closed-loop clients ('count') think");
            }
            double rate = c.value("rate", 1.0, s -> positive(s, 0));
            return new Scenario.Clients(Scenario.ClientMode.OPEN, c.choice("arrivals", Scenario.Arrivals.POISSON, ARRIVALS), rate, 0, null);
        }
        if (c.has("arrivals")) {
            YamlNode.Entry e = c.entry("arrivals");
            root.problems().error(e.line(), e.column(), c.keyPath("arrivals"), "only open-loop clients ('rate') have an arrival process");
        }
        int count = c.integer("count", 1, 1, 10_000_000);
        Distribution think = distribution(c, "think", false);
        return new Scenario.Clients(Scenario.ClientMode.CLOSED, Scenario.Arrivals.POISSON, 0, count, think);
    }

    private static Scenario.Workload workload(Section w) {
        return new Scenario.Workload(w.integer("objects", 1000, 1, 10_000_000), w.value("zipf", 1.0, s -> positive(s, -1)));
    }

    private static List<Scenario.TimedEvent> events(Section root, List<String> names) {
        List<Scenario.TimedEvent> out = new ArrayList<>();
        YamlNode.Sequence list = root.list("events");
        if (list == null) return out;
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            Section e = Section.open(item, "events[" + i + "]", item.line(), item.column(), root.problems(), EVENT_KEYS);
            Duration at = e.required("at", "when, e.g. 30s", DurationSyntax::parse);
            String group = e.required("group", "the server group it happens to", s -> {
                if (!names.isEmpty() && !names.contains(s)) {
                    throw new IllegalArgumentException("no server group '" + s + "'" + Spelling.suggestion(s, names)
                            + " (groups: " + String.join(", ", names) + ")");
                }
                return s;
            });
            Scenario.Action action = e.required("action", "fail, recover or slow", s -> Section.oneOf(s, ACTIONS));
            double factor = e.value("factor", 1.0, s -> positive(s, 0));
            if (action == Scenario.Action.SLOW && !e.has("factor")) {
                root.problems().error(e.line(), e.column(), e.keyPath("factor"), "required with 'action: slow' (e.g. 10: ten times slower)");
            }
            if (at != null && group != null && action != null) out.add(new Scenario.TimedEvent(at.toNanos(), group, action, factor));
        }
        return out;
    }

    private static Scenario.Resolvers resolvers(Section r) {
        Duration ttl = r.duration("ttl", Duration.ofMinutes(5), false);
        int records = r.integer("records", 1, 1, 64);
        YamlNode.Sequence list = r.list("sizes");
        List<Integer> sizes = new ArrayList<>();
        if (list == null) {
            r.problems().error(r.line(), r.column(), r.keyPath("sizes"),
                    "required key is missing (how many clients each resolver serves, relative, e.g. [40, 15, 10, 5, 1])");
            return null;
        }
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = r.keyPath("sizes") + "[" + i + "]";
            if (!(item instanceof YamlNode.Scalar v) || v.isEmpty()) {
                r.problems().error(item, path, "expected a whole number; found " + item.kind());
                continue;
            }
            try {
                sizes.add(IntegerSyntax.parse(v.text(), 1, 1_000_000));
            } catch (IllegalArgumentException e) {
                r.problems().error(item, path, e.getMessage());
            }
        }
        if (sizes.isEmpty()) {
            if (list.items().isEmpty()) r.problems().error(list, r.keyPath("sizes"), "must list at least one resolver");
            return null;
        }
        return new Scenario.Resolvers(ttl.toNanos(), records, sizes);
    }

    private static Scenario.Sweep sweep(Section s) {
        String key = s.required("key", String.join(", ", Scenario.Sweep.KEYS), k -> Section.oneOf(k, orderedIdentity(Scenario.Sweep.KEYS)));
        YamlNode.Sequence list = s.list("values");
        if (list == null) {
            s.problems().error(s.line(), s.column(), s.keyPath("values"), "required key is missing (a list of values)");
            return null;
        }
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath("values") + "[" + i + "]";
            if (!(item instanceof YamlNode.Scalar v) || v.isEmpty()) {
                s.problems().error(item, path, "expected a value; found " + item.kind());
                continue;
            }
            try {
                boolean duration = "load-reports.interval".equals(key) || "resolvers.ttl".equals(key);
                values.add(duration ? DurationSyntax.parse(v.text()).toNanos() / 1e9 : positive(v.text(), 0));
            } catch (IllegalArgumentException e) {
                s.problems().error(item, path, e.getMessage());
            }
        }
        if (key == null || values.isEmpty()) {
            if (values.isEmpty() && list.items().isEmpty()) s.problems().error(list, s.keyPath("values"), "must have at least one value");
            return null;
        }
        return new Scenario.Sweep(key, values);
    }

    private static double positive(String s, double above) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
        if (!(v > above) || Double.isInfinite(v)) throw new IllegalArgumentException(s + " must be a number above " + number(above));
        return v;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number");
        }
    }

    private static Map<String, Scenario.Kind> words(Scenario.Kind... kinds) {
        Map<String, Scenario.Kind> m = new LinkedHashMap<>();
        for (Scenario.Kind k : kinds) m.put(k.word(), k);
        return m;
    }

    private static <T> Map<String, T> orderedOf(String k1, T v1, String k2, T v2, String k3, T v3) {
        Map<String, T> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        m.put(k3, v3);
        return m;
    }

    private static Map<String, String> orderedIdentity(List<String> words) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String w : words) m.put(w.toLowerCase(Locale.ROOT), w);
        return m;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
