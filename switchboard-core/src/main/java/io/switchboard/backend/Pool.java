package io.switchboard.backend;

import io.switchboard.balance.Algorithm;
import io.switchboard.balance.PickContext;
import io.switchboard.balance.Picker;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * A named set of back ends with one balancing algorithm.
 *
 * <p>Threading: a single writer. {@link #apply} is serialized (the monitor is never taken on the
 * request path); it builds the next {@link BackendSet} and {@link Picker} and publishes both with one
 * volatile write, then notifies listeners. {@link #pick} and {@link #snapshot} never lock and always
 * see a complete, versioned snapshot.
 *
 * <p>A member's published state combines the operator's {@link AdminState} (maint, drain win), active
 * health (rise/fall) and passive ejection. A back end that returns to service ramps its weight
 * linearly over the slow-start window; {@link Change.Tick} republishes while a ramp or an
 * ejection is pending ({@link #needsTick()}).
 */
public final class Pool {
    /** What readers see: one snapshot and the picker bound to it. */
    public record Snapshot(BackendSet backends, Picker picker) {}

    /** Pure settings of the writer. */
    public record Settings(long slowStartNanos, AllDownPolicy allDown, HealthPolicy health, boolean activeHealth,
                           OutlierDetector outliers) {
        public static Settings defaults() {
            return new Settings(0, AllDownPolicy.FAIL, new HealthPolicy(2, 3), false,
                    new OutlierDetector(5, 10_000_000_000L, 300_000_000_000L));
        }

        /** The writer settings a validated pool config asks for. */
        public static Settings of(PoolConfig config) {
            HealthCheckConfig health = config.health();
            PassiveHealthConfig passive = config.passive();
            return new Settings(config.slowStart().toNanos(), config.allDown(),
                    new HealthPolicy(health.rise(), health.fall()), health.enabled(),
                    new OutlierDetector(passive.enabled() ? passive.consecutiveFailures() : 0,
                            passive.baseEjection().toNanos(), passive.maxEjection().toNanos()));
        }
    }

    /** The live pool a validated config describes, with its servers in place. */
    public static Pool of(PoolConfig config) {
        Pool pool = new Pool(config.name(), Algorithms.byName(config.algorithm(), config.hashLoadFactor()),
                Settings.of(config));
        pool.apply(new Change.Reconcile(config.servers()));
        return pool;
    }

    private static final int HISTORY = 32;

    /** Writer-owned mutable state of one member. */
    private static final class Slot {
        final Backend backend;
        int weight;
        AdminState admin;
        final HealthPolicy.Tracker health;
        long ejectedUntil;      // 0 when not ejected
        boolean ejected;
        int ejections;
        long lastEjectionEnd;
        long rampStart = Long.MIN_VALUE; // slow start; MIN_VALUE when not ramping
        BackendState published;
        String cause = "configured";

        Slot(Backend backend, int weight, AdminState admin, HealthPolicy.Tracker health) {
            this.backend = backend;
            this.weight = weight;
            this.admin = admin;
            this.health = health;
        }

        /** A copy to roll back to: a failing batch must leave no trace, and changes mutate slots in place. */
        Slot copy() {
            Slot c = new Slot(backend, weight, admin, health.copy());
            c.ejectedUntil = ejectedUntil;
            c.ejected = ejected;
            c.ejections = ejections;
            c.lastEjectionEnd = lastEjectionEnd;
            c.rampStart = rampStart;
            c.published = published;
            c.cause = cause;
            return c;
        }
    }

    private final String name;
    private final Algorithm algorithm;
    private final Settings settings;
    private final LongSupplier nanoClock;
    private final InstantSource wallClock;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Deque<Transition> history = new ArrayDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final List<PoolListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot;
    private volatile boolean needsTick;
    private long version;

    public Pool(String name, Algorithm algorithm, Settings settings, LongSupplier nanoClock, InstantSource wallClock) {
        this.name = Objects.requireNonNull(name);
        this.algorithm = Objects.requireNonNull(algorithm);
        this.settings = Objects.requireNonNull(settings);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.wallClock = Objects.requireNonNull(wallClock);
        this.snapshot = new Snapshot(BackendSet.empty(), algorithm.newPicker(BackendSet.empty(), null));
    }

    public Pool(String name, Algorithm algorithm, Settings settings) {
        this(name, algorithm, settings, System::nanoTime, InstantSource.system());
    }

    public String name() { return name; }
    public Algorithm algorithm() { return algorithm; }
    public Settings settings() { return settings; }
    public Snapshot snapshot() { return snapshot; }
    public boolean needsTick() { return needsTick; }
    /** Requests in flight across all of this pool's back ends. */
    public int inFlight() { return inFlight.get(); }

    /** The hot path: lock-free. */
    public Backend pick(PickContext ctx) {
        return snapshot.picker().pick(ctx);
    }

    public void addListener(PoolListener l) { listeners.add(l); }
    public void removeListener(PoolListener l) { listeners.remove(l); }

    /** The back end with that name in the current snapshot, or null. */
    public Backend backend(String backendName) {
        Member m = snapshot.backends().member(backendName);
        return m == null ? null : m.backend();
    }

    /** The last transitions, oldest first (bounded). */
    public synchronized List<Transition> history() {
        return List.copyOf(history);
    }

    public Snapshot apply(Change change) {
        return applyAll(List.of(change));
    }

    /**
     * Applies the changes in order and publishes once.
     *
     * @throws IllegalArgumentException when a change names an unknown back end or adds a duplicate;
     *     nothing of the batch is published then
     */
    public Snapshot applyAll(List<? extends Change> changes) {
        List<Transition> transitions;
        Snapshot next;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            Map<String, Slot> before = new LinkedHashMap<>();
            for (Map.Entry<String, Slot> e : slots.entrySet()) before.put(e.getKey(), e.getValue().copy());
            Map<String, BackendState> prior = new LinkedHashMap<>();
            for (Slot s : slots.values()) prior.put(s.backend.name(), s.published);
            try {
                for (Change c : changes) applyOne(c, now);
            } catch (RuntimeException e) {
                slots.clear();
                slots.putAll(before);
                throw e;
            }
            transitions = new ArrayList<>();
            List<Member> members = new ArrayList<>(slots.size());
            boolean tick = false;
            for (Slot s : slots.values()) {
                BackendState st = stateOf(s);
                int eff = effectiveWeight(s, now);
                if (s.rampStart != Long.MIN_VALUE || s.ejected) tick = true;
                if (s.published != st) {
                    transitions.add(new Transition(name, s.backend.name(), prior.get(s.backend.name()), st, s.cause,
                            wallClock.millis(), now));
                    s.published = st;
                }
                members.add(new Member(s.backend, st, s.admin, s.weight, eff, s.cause));
            }
            for (Map.Entry<String, BackendState> e : prior.entrySet()) {
                if (!slots.containsKey(e.getKey())) {
                    transitions.add(new Transition(name, e.getKey(), e.getValue(), BackendState.MAINT, "removed",
                            wallClock.millis(), now));
                }
            }
            BackendSet set = new BackendSet(++version, members, settings.allDown());
            Snapshot prev = snapshot;
            next = new Snapshot(set, algorithm.newPicker(set, prev.picker()));
            snapshot = next;
            needsTick = tick;
            for (Transition t : transitions) {
                history.addLast(t);
                while (history.size() > HISTORY) history.removeFirst();
            }
        }
        for (PoolListener l : listeners) l.onChange(this, next, transitions);
        return next;
    }

    private void applyOne(Change c, long now) {
        switch (c) {
            case Change.Add a -> add(a.server(), now, "added");
            case Change.Remove r -> {
                if (slots.remove(r.name()) == null) throw unknown(r.name());
            }
            case Change.SetWeight w -> {
                if (w.weight() < 0 || w.weight() > ServerConfig.MAX_WEIGHT) {
                    throw new IllegalArgumentException("weight " + w.weight() + " out of range 0-" + ServerConfig.MAX_WEIGHT);
                }
                slot(w.name()).weight = w.weight();
            }
            case Change.SetAdmin a -> {
                Slot s = slot(a.name());
                boolean wasServing = stateOf(s) == BackendState.UP;
                s.admin = a.state();
                s.cause = a.cause() == null ? "operator: " + a.state().label() : a.cause();
                if (!wasServing && stateOf(s) == BackendState.UP) startRamp(s, now);
            }
            case Change.Probe p -> probe(slot(p.name()), p.ok(), p.detail(), now);
            case Change.PassiveFailure f -> passiveFailure(slot(f.name()), f.consecutive(), f.detail(), now);
            case Change.Tick t -> tick(now);
            case Change.Reconcile r -> reconcile(r.servers(), now);
        }
    }

    private void add(ServerConfig sc, long now, String cause) {
        if (slots.containsKey(sc.name())) {
            throw new IllegalArgumentException("pool '" + name + "' already has a server named '" + sc.name() + "'");
        }
        Backend b = new Backend(name, sc.name(), sc.host(), sc.port(), inFlight);
        b.maxConnections(sc.maxConnections());
        Slot s = new Slot(b, sc.weight(), sc.state(), new HealthPolicy.Tracker(true));
        s.cause = cause;
        slots.put(sc.name(), s);
    }

    private void reconcile(List<ServerConfig> servers, long now) {
        Set<String> wanted = new HashSet<>();
        for (ServerConfig sc : servers) {
            if (!wanted.add(sc.name())) {
                throw new IllegalArgumentException("pool '" + name + "': server name '" + sc.name()
                        + "' appears twice in the reloaded config; names identify back ends and must be unique");
            }
        }
        for (ServerConfig sc : servers) {
            Slot s = slots.get(sc.name());
            if (s != null && (!s.backend.host().equals(sc.host()) || s.backend.port() != sc.port())) {
                slots.remove(sc.name());
                s = null;
            }
            if (s == null) {
                // The first reconcile of a new pool is its configuration, not a reload.
                add(sc, now, version == 0 ? "configured" : "added by reload");
            } else {
                s.weight = sc.weight();
                s.backend.maxConnections(sc.maxConnections());
                if (s.admin != sc.state()) {
                    boolean wasServing = stateOf(s) == BackendState.UP;
                    s.admin = sc.state();
                    s.cause = "reload: " + sc.state().label();
                    if (!wasServing && stateOf(s) == BackendState.UP) startRamp(s, now);
                }
            }
        }
        slots.keySet().removeIf(n -> !wanted.contains(n));
        // keep config order
        Map<String, Slot> ordered = new LinkedHashMap<>();
        for (ServerConfig sc : servers) ordered.put(sc.name(), slots.get(sc.name()));
        slots.clear();
        slots.putAll(ordered);
    }

    private void probe(Slot s, boolean ok, String detail, long now) {
        if (s.ejected) {
            if (now < s.ejectedUntil || !ok) return; // still serving its ejection, or still failing
            // "a passing probe brings it back"
            s.ejected = false;
            s.lastEjectionEnd = now;
            s.health.force(true);
            s.backend.resetConsecutiveFailures();
            s.cause = "probe passed after ejection: " + detail;
            if (stateOf(s) == BackendState.UP) startRamp(s, now);
            return;
        }
        boolean wasServing = stateOf(s) == BackendState.UP;
        if (s.health.observe(settings.health(), ok)) {
            s.cause = (ok ? "probe passed " + settings.health().rise() + "x: " : "probe failed " + settings.health().fall() + "x: ") + detail;
            if (ok) s.backend.resetConsecutiveFailures();
            if (!wasServing && stateOf(s) == BackendState.UP) startRamp(s, now);
        }
    }

    private void passiveFailure(Slot s, int consecutive, String detail, long now) {
        OutlierDetector od = settings.outliers();
        if (s.ejected || !s.health.up() || !od.shouldEject(consecutive)) return;
        if (s.lastEjectionEnd != 0 && now - s.lastEjectionEnd > od.maxEjectionNanos()) s.ejections = 0;
        s.ejections++;
        long d = od.ejectionNanos(s.ejections);
        s.ejected = true;
        s.ejectedUntil = now + d;
        s.rampStart = Long.MIN_VALUE;
        s.cause = "ejected for " + (d / 1_000_000) + " ms after " + consecutive + " consecutive failures: " + detail;
    }

    private void tick(long now) {
        for (Slot s : slots.values()) {
            if (s.ejected && now >= s.ejectedUntil && !settings.activeHealth()) {
                s.ejected = false;
                s.lastEjectionEnd = now;
                s.backend.resetConsecutiveFailures();
                s.cause = "ejection expired";
                if (stateOf(s) == BackendState.UP) startRamp(s, now);
            }
            if (s.rampStart != Long.MIN_VALUE && now - s.rampStart >= settings.slowStartNanos()) {
                s.rampStart = Long.MIN_VALUE;
            }
        }
    }

    private void startRamp(Slot s, long now) {
        if (settings.slowStartNanos() > 0) s.rampStart = now;
    }

    private static BackendState stateOf(Slot s) {
        if (s.admin == AdminState.MAINT) return BackendState.MAINT;
        if (s.admin == AdminState.DRAIN) return BackendState.DRAIN;
        if (s.ejected || !s.health.up()) return BackendState.DOWN;
        return BackendState.UP;
    }

    /** Linear slow-start ramp: weight * elapsed / window, at least 1 so a returning back end is tried. */
    private int effectiveWeight(Slot s, long now) {
        if (s.rampStart == Long.MIN_VALUE || settings.slowStartNanos() <= 0 || s.weight == 0) return s.weight;
        long elapsed = now - s.rampStart;
        if (elapsed >= settings.slowStartNanos()) return s.weight;
        return (int) Math.max(1, (s.weight * elapsed) / settings.slowStartNanos());
    }

    private Slot slot(String n) {
        Slot s = slots.get(n);
        if (s == null) throw unknown(n);
        return s;
    }

    private IllegalArgumentException unknown(String n) {
        return new IllegalArgumentException("pool '" + name + "' has no server named '" + n + "' (has: " + String.join(", ", slots.keySet()) + ")");
    }

    @Override
    public String toString() {
        return "Pool{" + name + ", " + algorithm.name() + ", " + snapshot.backends() + "}";
    }
}
