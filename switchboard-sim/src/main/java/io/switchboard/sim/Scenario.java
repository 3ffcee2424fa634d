package io.switchboard.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One simulation as a value: what the farm looks like, what the clients do, what happens when,
 * and which algorithms to compare. A scenario file ({@code switchboard simulate -c FILE}) reads into
 * one of these; tests build them directly. Immutable.
 *
 * <p>How clients reach the pool ({@link Resolvers}: caching DNS resolvers with TTLs, seed 001) is a
 * nullable section consulted at dispatch; content-aware workloads (LARD, seed 002) have {@link
 * Workload} (Zipf object popularity, the request hash) and {@link Cache} (per-server LRU with hit
 * and miss service times). New sections go last, with a constructor overload for the old shape.
 *
 * @param kind        what is simulated: request traffic over time, or balls thrown into bins
 * @param algorithms  the core algorithm names to compare, each run on its own engine
 * @param seed        the base seed; each run derives its own from it, its algorithm and sweep point
 * @param traffic     run length, warm-up (not measured) and the time-series interval
 * @param servers     groups of identical servers, in order; server names are {@code group-i}
 * @param events      things that happen to a group at a time (fail, recover, slow down)
 * @param loadReports agent reports to the pool (null: none)
 * @param healthChecks active probes (null: none; passive ejection still works)
 * @param bins        balls-into-bins settings (kind BALLS_INTO_BINS only)
 * @param sweep       one parameter varied across runs (null: none)
 * @param resolvers   clients reach the pool through caching DNS resolvers (null: every request picks)
 */
public record Scenario(String name, String title, String description, Kind kind, List<String> algorithms, long seed,
                       Traffic traffic, PoolSpec pool, List<ServerGroup> servers, Clients clients, Workload workload,
                       List<TimedEvent> events, LoadReports loadReports, HealthChecks healthChecks, Bins bins,
                       Sweep sweep, Resolvers resolvers) {
    /** A scenario without resolvers. */
    public Scenario(String name, String title, String description, Kind kind, List<String> algorithms, long seed,
                    Traffic traffic, PoolSpec pool, List<ServerGroup> servers, Clients clients, Workload workload,
                    List<TimedEvent> events, LoadReports loadReports, HealthChecks healthChecks, Bins bins, Sweep sweep) {
        this(name, title, description, kind, algorithms, seed, traffic, pool, servers, clients, workload, events, loadReports,
                healthChecks, bins, sweep, null);
    }

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        algorithms = List.copyOf(algorithms);
        servers = List.copyOf(servers);
        events = events == null ? List.of() : List.copyOf(events);
        if (algorithms.isEmpty()) throw new IllegalArgumentException("a scenario needs at least one algorithm");
        if (servers.isEmpty()) throw new IllegalArgumentException("a scenario needs at least one server group");
        if (title == null) title = name;
        if (description == null) description = "";
        if (pool == null) pool = PoolSpec.DEFAULT;
        if (traffic == null) traffic = Traffic.DEFAULT;
    }

    public enum Kind {
        TRAFFIC("traffic"), BALLS_INTO_BINS("balls-into-bins");

        private final String word;

        Kind(String word) { this.word = word; }

        public String word() { return word; }
    }

    /** @param intervalNanos the width of one time-series row */
    public record Traffic(long durationNanos, long warmupNanos, long intervalNanos) {
        public static final Traffic DEFAULT = new Traffic(60_000_000_000L, 5_000_000_000L, 1_000_000_000L);

        public Traffic {
            if (durationNanos <= 0) throw new IllegalArgumentException("duration must be more than 0");
            if (warmupNanos < 0 || warmupNanos >= durationNanos) throw new IllegalArgumentException("warm-up must be in [0, duration)");
            if (intervalNanos <= 0) throw new IllegalArgumentException("interval must be more than 0");
        }
    }

    /**
     * The pool's writer settings and the dispatcher's retry rule.
     *
     * @param consecutiveFailures passive ejection threshold (0: off)
     * @param retries             further attempts on another back end after a failed one
     * @param reportMaxAgeNanos   least-load's report-max-age
     */
    public record PoolSpec(long slowStartNanos, int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos,
                           int maxEjectionPercent, int retries, long reportMaxAgeNanos) {
        public static final PoolSpec DEFAULT = new PoolSpec(0, 0, 10_000_000_000L, 300_000_000_000L, 100, 1, 3_000_000_000L);
    }

    /**
     * Identical servers.
     *
     * @param capacity       requests served at once (worker slots); more wait in the server's queue
     * @param queue          requests that may wait at the server; one more is refused (a 503, a failure)
     * @param maxConnections the pool's max-connections for each of them (0: none)
     * @param cache          null: every request costs {@code service}
     */
    public record ServerGroup(String name, int count, int weight, int capacity, int queue, Distribution service,
                              int maxConnections, Cache cache) {
        public ServerGroup {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(service, "service");
            if (count < 1) throw new IllegalArgumentException("count must be at least 1");
            if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
            if (queue < 0) throw new IllegalArgumentException("queue must not be negative");
        }

        public ServerGroup withCount(int n) {
            return new ServerGroup(name, n, weight, capacity, queue, service, maxConnections, cache);
        }
    }

    /** A per-server LRU cache of {@code objects} workload objects: a hit costs {@code hit}, a miss {@code miss}. */
    public record Cache(int objects, Distribution hit, Distribution miss) {}

    public enum ClientMode { OPEN, CLOSED }

    public enum Arrivals { POISSON, FIXED }

    /**
     * Open loop: requests arrive at {@code rate} per second whatever the farm does (Poisson or evenly
     * spaced). Closed loop: {@code count} clients each send a request, wait for its answer, think, and
     * send the next.
     */
    public record Clients(ClientMode mode, Arrivals arrivals, double ratePerSecond, int count, Distribution think) {
        public Clients {
            Objects.requireNonNull(mode, "mode");
            if (mode == ClientMode.OPEN && !(ratePerSecond > 0)) throw new IllegalArgumentException("rate must be more than 0");
            if (mode == ClientMode.CLOSED && count < 1) throw new IllegalArgumentException("count must be at least 1");
        }
    }

    /** Requests name one of {@code objects} objects, object k with probability proportional to 1 / k^zipf. */
    public record Workload(int objects, double zipf) {}

    public enum Action { FAIL, RECOVER, SLOW }

    /** At {@code atNanos}, every server of {@code group} fails, recovers, or serves {@code factor} times slower (1: normal). */
    public record TimedEvent(long atNanos, String group, Action action, double factor) {}

    /** Every server's agent reports its busy and idle workers every {@code intervalNanos}, at a random phase. */
    public record LoadReports(long intervalNanos) {}

    public record HealthChecks(long intervalNanos, int rise, int fall) {}

    /** Throw {@code ballsPerServer * n} balls into n bins, {@code trials} times. */
    public record Bins(int ballsPerServer, int trials) {}

    /**
     * Round-robin DNS in front of the pool, as NCSA ran it (seed 001): clients sit behind caching
     * resolvers, resolver i serving {@code sizes[i]} parts of the clients (closed loop: client k
     * belongs to the resolver its index falls to, cycling through the sizes; open loop: each arrival
     * draws its resolver with probability proportional to its size). A resolver asks the
     * authoritative server when its cached answer has expired: the answer is {@code records}
     * addresses, each the pool's pick (the algorithm under test plays the name server's rotation;
     * a health-aware server answers only with servers the pool has up). It caches them for
     * {@code ttlNanos} (0: asks for every request); a client takes one of the cached addresses at
     * random for each request.
     */
    public record Resolvers(long ttlNanos, int records, List<Integer> sizes) {
        public Resolvers {
            if (ttlNanos < 0) throw new IllegalArgumentException("ttl must not be negative");
            if (records < 1) throw new IllegalArgumentException("records must be at least 1");
            sizes = List.copyOf(sizes);
            if (sizes.isEmpty()) throw new IllegalArgumentException("at least one resolver");
            for (int x : sizes) if (x < 1) throw new IllegalArgumentException("a resolver's size must be at least 1");
        }
    }

    /** The parameter named {@code key} takes each of {@code values} in turn (see {@link #with}). */
    public record Sweep(String key, List<Double> values) {
        public static final List<String> KEYS = List.of("servers", "clients.rate", "clients.count", "load-reports.interval",
                "resolvers.ttl", "resolvers.records");

        public Sweep {
            if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown sweep key '" + key + "' (allowed: " + String.join(", ", KEYS) + ")");
            values = List.copyOf(values);
            if (values.isEmpty()) throw new IllegalArgumentException("a sweep needs at least one value");
        }
    }

    /** This scenario as written, without its sweep (one point: the values the file gives). */
    public Scenario withoutSweep() {
        return new Scenario(name, title, description, kind, algorithms, seed, traffic, pool, servers, clients, workload, events,
                loadReports, healthChecks, bins, null, resolvers);
    }

    /** Total servers over all groups. */
    public int serverCount() {
        int n = 0;
        for (ServerGroup g : servers) n += g.count();
        return n;
    }

    /**
     * This scenario with one sweep parameter set: {@code servers} sets the first group's count,
     * {@code clients.rate} and {@code clients.count} the clients', {@code load-reports.interval} the
     * report interval and {@code resolvers.ttl} the resolvers' TTL in seconds, {@code resolvers.records}
     * the addresses per answer.
     */
    public Scenario with(String key, double value) {
        return switch (key) {
            case "servers" -> {
                List<ServerGroup> gs = new ArrayList<>(servers);
                gs.set(0, gs.get(0).withCount((int) value));
                yield new Scenario(name, title, description, kind, algorithms, seed, traffic, pool, gs, clients, workload,
                        events, loadReports, healthChecks, bins, sweep, resolvers);
            }
            case "clients.rate" -> copyWith(new Clients(clients.mode(), clients.arrivals(), value, clients.count(), clients.think()));
            case "clients.count" -> copyWith(new Clients(clients.mode(), clients.arrivals(), clients.ratePerSecond(), (int) value,
                    clients.think()));
            case "load-reports.interval" -> new Scenario(name, title, description, kind, algorithms, seed, traffic, pool, servers,
                    clients, workload, events, new LoadReports((long) (value * 1e9)), healthChecks, bins, sweep, resolvers);
            case "resolvers.ttl" -> withResolvers(new Resolvers((long) (value * 1e9), resolvers.records(), resolvers.sizes()));
            case "resolvers.records" -> withResolvers(new Resolvers(resolvers.ttlNanos(), (int) value, resolvers.sizes()));
            default -> throw new IllegalArgumentException("unknown sweep key '" + key + "'");
        };
    }

    private Scenario withResolvers(Resolvers r) {
        if (resolvers == null) throw new IllegalArgumentException("the sweep key is about resolvers, and the scenario has none");
        return new Scenario(name, title, description, kind, algorithms, seed, traffic, pool, servers, clients, workload, events,
                loadReports, healthChecks, bins, sweep, r);
    }

    private Scenario copyWith(Clients c) {
        return new Scenario(name, title, description, kind, algorithms, seed, traffic, pool, servers, c, workload, events,
                loadReports, healthChecks, bins, sweep, resolvers);
    }
}
