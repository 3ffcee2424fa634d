package io.switchboard.registry;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Algorithms;
import io.switchboard.balance.PickContext;
import io.switchboard.balance.Picker;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A named set of back ends with one balancing algorithm.
 *
 * <p>Threading: a single writer. Writes ({@link #applyAll}) are serialized on the write lock (the
 * {@link PoolRegistry}'s when the pool belongs to one, so that its events are numbered and delivered
 * in the order the snapshots were published); the lock is never taken on the request path. A write
 * builds the next {@link BackendSet} and {@link Picker} ({@link PoolSnapshotBuilder}) and publishes
 * both with one volatile write, then tells the listeners while still holding the lock. {@link #pick}
 * and {@link #snapshot} never lock and always see a complete, versioned snapshot. The data plane
 * never writes synchronously: it calls {@link #submit}, which hands the change to the registry's
 * writer thread and returns.
 *
 * <p>A member's published state combines the operator's {@link AdminState} (maint, drain win), active
 * health (rise/fall) and passive ejection. A back end that enters service (returning, or added at
 * run time) ramps its weight linearly over the slow-start window; {@link Change.Tick} republishes
 * while a ramp or an ejection is pending ({@link #needsTick()}). A batch that changes nothing a
 * reader can see publishes nothing.
 *
 * <p>Agents ({@link Change.Agent}): the state an agent asks for (down, drain, maint) is kept apart
 * from the operator's admin state and from health, and the published state is the strictest of the
 * three, so an agent can take a server out but never make one that fails its checks eligible; its
 * weight percentage scales the configured weight (HAProxy's agent weight), its maxconn replaces the
 * configured {@code max-connections} until it asks for none. A batch of reports that only carry load
 * figures (the usual case: agents report every second) takes a fast path: each report is one volatile
 * store on its back end, with no copy of the slots and no new picker, so that thousands of back ends
 * reporting every second cost the writer little.
 */
public final class Pool {
    /** What readers see: one snapshot, the picker bound to it, and the algorithm that built the picker. */
    public record Snapshot(BackendSet backends, Picker picker, Algorithm algorithm) {}

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
                            passive.baseEjection().toNanos(), passive.maxEjection().toNanos(),
                            passive.maxEjectionPercent()));
        }
    }

    /** The algorithm a validated pool config asks for. */
    public static Algorithm algorithmOf(PoolConfig config) {
        return Algorithms.byName(config.algorithm(), config.hashLoadFactor(), config.lardLow(), config.lardHigh(),
                config.lardShrinkAfter(), config.reportMaxAge(), config.candidacy());
    }

    /** A pool outside any registry (tests, tools): {@link #submit} applies at once on the caller's thread. */
    public static Pool of(PoolConfig config) {
        Pool pool = new Pool(config.name(), algorithmOf(config), Settings.of(config));
        pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(config.servers())));
        return pool;
    }

    private static final int HISTORY = 32;

    private final String name;
    private final LongSupplier nanoClock;
    private final InstantSource wallClock;
    /** The registry's write lock when registered, else this pool. */
    private final Object lock;
    /** Null for a pool outside any registry. */
    private final PoolRegistry registry;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Deque<Transition> history = new ArrayDeque<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<PoolListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Settings settings;
    private volatile Snapshot snapshot;
    private volatile boolean needsTick;
    private final PoolSnapshotBuilder builder;
    /** Whether a batch was ever applied: the first reconcile is the pool's configuration. */
    private boolean configured;
    // writer state of the batch being applied (under the lock)
    private Origin origin = Origin.API;
    private final List<Transition> notes = new ArrayList<>();
    /** A back end's tags changed in this batch: republish, so that tag filters cached per snapshot are rebuilt. */
    private boolean retagged;

    public Pool(String name, Algorithm algorithm, Settings settings, LongSupplier nanoClock, InstantSource wallClock) {
        this(name, algorithm, settings, nanoClock, wallClock, null);
    }

    public Pool(String name, Algorithm algorithm, Settings settings) {
        this(name, algorithm, settings, System::nanoTime, InstantSource.system());
    }

    Pool(String name, Algorithm algorithm, Settings settings, LongSupplier nanoClock, InstantSource wallClock,
         PoolRegistry registry) {
        this.name = Objects.requireNonNull(name);
        this.settings = Objects.requireNonNull(settings);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.wallClock = Objects.requireNonNull(wallClock);
        this.registry = registry;
        this.lock = registry == null ? this : registry.writeLock();
        Objects.requireNonNull(algorithm);
        this.builder = new PoolSnapshotBuilder(this.name, this.wallClock);
        this.snapshot = PoolSnapshotBuilder.empty(algorithm);
    }

    public String name() { return name; }
    public Algorithm algorithm() { return snapshot.algorithm(); }
    public Settings settings() { return settings; }
    public Snapshot snapshot() { return snapshot; }
    public boolean needsTick() { return needsTick; }
    /** Requests in flight across all of this pool's back ends. */
    public int inFlight() { return inFlight.get(); }

    /** The hot path: lock-free. */
    public Backend pick(PickContext ctx) {
        return snapshot.picker().pick(ctx);
    }

    /** Told after each published change, on the writing thread, under the write lock: must be quick and must not write. */
    public void addListener(PoolListener l) { listeners.add(l); }
    public void removeListener(PoolListener l) { listeners.remove(l); }

    /** The back end with that name in the current snapshot, or null. */
    public Backend backend(String backendName) {
        Member m = snapshot.backends().member(backendName);
        return m == null ? null : m.backend();
    }

    /** The last transitions and notes of this pool, oldest first (bounded). */
    public List<Transition> history() {
        synchronized (lock) {
            return List.copyOf(history);
        }
    }

    /**
     * Hands the change to the registry's writer and returns at once: the call for event loops, which
     * must never build pickers. A change that no longer applies when its turn comes (its back end
     * was removed meanwhile) is dropped. Outside a registry the change is applied here and now.
     */
    public void submit(Origin origin, Change change) {
        if (registry != null) {
            registry.submit(this, origin, change);
        } else {
            try {
                applyAll(origin, List.of(change));
            } catch (IllegalArgumentException e) {
                // the same as in a registry: the back end left before its change was applied
            }
        }
    }

    /** An operator's change ({@link Origin#API}), applied synchronously. */
    public Snapshot apply(Change change) {
        return applyAll(Origin.API, List.of(change));
    }

    /** An operator's changes ({@link Origin#API}), applied synchronously and published once. */
    public Snapshot applyAll(List<? extends Change> changes) {
        return applyAll(Origin.API, changes);
    }

    public Snapshot apply(Origin origin, Change change) {
        return applyAll(origin, List.of(change));
    }

    /**
     * Applies the changes in order on the caller's thread and publishes once, unless they change
     * nothing a reader sees. Not for event loops: see {@link #submit}.
     *
     * @return the snapshot in force afterwards (the previous one when nothing changed)
     * @throws IllegalArgumentException when a change names an unknown back end or adds a duplicate;
     *     nothing of the batch is published then
     */
    public Snapshot applyAll(Origin origin, List<? extends Change> changes) {
        Objects.requireNonNull(origin, "origin");
        synchronized (lock) {
            if (Slot.onlyLoadFigures(slots, changes)) {
                if (registry != null) registry.applied(this, origin, changes);
                return snapshot;
            }
            long now = nanoClock.getAsLong();
            // for a rollback, and the states the batch's transitions start from
            Map<String, Slot> before = Slot.copies(slots);
            Settings settingsBefore = settings;
            Snapshot prev = snapshot;
            Algorithm algorithm = prev.algorithm();
            this.origin = origin;
            notes.clear();
            retagged = false;
            try {
                for (Change c : changes) {
                    if (c instanceof Change.Configure conf) {
                        algorithm = conf.algorithm();
                        settings = conf.settings();
                    } else {
                        applyOne(c, now);
                    }
                }
            } catch (RuntimeException e) {
                slots.clear();
                slots.putAll(before);
                settings = settingsBefore;
                notes.clear();
                throw e;
            }
            PoolSnapshotBuilder.Batch batch = builder.batch(slots, before, notes, settings.slowStartNanos(), origin, now);
            List<Transition> transitions = batch.transitions();
            notes.clear();
            configured = true;
            needsTick = batch.needsTick();
            // the previous snapshot itself when nothing a picker reads changed
            Snapshot next = builder.next(prev, batch, algorithm, settings.allDown(),
                    settings.allDown() != settingsBefore.allDown() || retagged, slots.values());
            if (next == prev && transitions.isEmpty()) {
                if (registry != null) registry.applied(this, origin, changes);
                return prev;
            }
            if (next != prev) snapshot = next;
            for (Transition t : transitions) {
                history.addLast(t);
                while (history.size() > HISTORY) history.removeFirst();
            }
            for (PoolListener l : listeners) l.onChange(this, next, transitions);
            if (registry != null) {
                registry.published(this, origin, next, transitions);
                registry.applied(this, origin, changes);
            }
            return next;
        }
    }

    private void applyOne(Change c, long now) {
        switch (c) {
            case Change.Add a -> {
                Slot s = add(a.server(), "added");
                startRamp(s, now); // a server added at run time joins like a returning one
            }
            case Change.Remove r -> {
                if (slots.remove(r.name()) == null) throw unknown(r.name());
            }
            case Change.SetWeight w -> {
                if (w.weight() < 0 || w.weight() > ServerConfig.MAX_WEIGHT) {
                    throw new IllegalArgumentException("weight " + w.weight() + " out of range 0-" + ServerConfig.MAX_WEIGHT);
                }
                Slot s = slot(w.name());
                if (s.weight != w.weight()) {
                    note(s, "weight " + s.weight + " -> " + w.weight() + " (" + origin.label() + ")", now);
                    s.weight = w.weight();
                }
            }
            case Change.SetAdmin a -> {
                Slot s = slot(a.name());
                if (s.admin == a.state()) return;
                boolean wasServing = s.state() == BackendState.UP;
                s.admin = a.state();
                s.cause = a.cause() == null ? "operator: " + a.state().label() : a.cause();
                if (!wasServing && s.state() == BackendState.UP) startRamp(s, now);
            }
            case Change.Probe p -> probe(slot(p.name()), p.ok(), p.detail(), now);
            case Change.PassiveFailure f -> passiveFailure(slot(f.name()), f.consecutive(), f.detail(), now);
            case Change.Agent a -> agent(slot(a.name()), a.report(), now);
            case Change.Tick t -> tick(now);
            case Change.Reconcile r -> reconcile(r.servers(), now);
            case Change.Configure conf -> throw new IllegalStateException("handled by applyAll");
        }
    }

    private void agent(Slot s, LoadReport r, long now) {
        s.backend.loadReport(r);
        AgentState next = Slot.agentStateAfter(s.agentState, r.state());
        if (next != s.agentState) {
            BackendState was = s.state();
            s.agentState = next;
            // only when it shows: an agent's "up" for a server failing its checks explains nothing
            if (s.state() != was) s.cause = "agent: " + (next == AgentState.NONE ? r.state() : next).word();
            if (was != BackendState.UP && s.state() == BackendState.UP) startRamp(s, now);
        }
        if (r.weightPercent() != LoadReport.UNKNOWN && r.weightPercent() != s.percent()) {
            note(s, "agent weight " + s.percent() + "% -> "
                    + r.weightPercent() + "% (weight " + Slot.agentWeight(s.weight, s.agentWeightPercent) + " -> "
                    + Slot.agentWeight(s.weight, r.weightPercent()) + ")", now);
            s.agentWeightPercent = r.weightPercent();
        }
        if (r.maxConn() != s.agentMaxConn) {
            int before = s.backend.maxConnections();
            s.agentMaxConn = r.maxConn();
            s.applyMaxConn();
            note(s, "agent maxconn " + limit(before) + " -> " + limit(s.backend.maxConnections())
                    + (r.maxConn() == LoadReport.UNKNOWN ? " (configured)" : ""), now);
        }
    }

    private static String limit(int maxConn) {
        return maxConn == 0 ? "none" : Integer.toString(maxConn);
    }

    /** A history entry that is not a state change (a weight change, a refused ejection). */
    private void note(Slot s, String what, long now) {
        BackendState st = s.published == null ? s.state() : s.published;
        notes.add(new Transition(name, s.backend.name(), st, st, what, wallClock.millis(), now, origin));
    }

    private Slot add(ServerConfig sc, String cause) {
        if (slots.containsKey(sc.name())) {
            throw new IllegalArgumentException("pool '" + name + "' already has a server named '" + sc.name() + "'");
        }
        Slot s = Slot.of(name, sc, inFlight, cause);
        slots.put(sc.name(), s);
        return s;
    }

    private void reconcile(List<ServerConfig> servers, long now) {
        Set<String> wanted = HashSet.newHashSet(servers.size());
        for (ServerConfig sc : servers) {
            if (!wanted.add(sc.name())) {
                throw new IllegalArgumentException("pool '" + name + "': server name '" + sc.name()
                        + "' appears twice in the reloaded config; names identify back ends and must be unique");
            }
        }
        // The first reconcile of a new pool is its configuration, not a reload: nothing ramps then.
        boolean configuring = !configured;
        for (ServerConfig sc : servers) {
            Slot s = slots.get(sc.name());
            if (s != null && (!s.backend.host().equals(sc.host()) || s.backend.port() != sc.port())) {
                slots.remove(sc.name());
                s = null;
            }
            if (s == null) {
                Slot added = add(sc, configuring ? "configured" : "added by reload");
                if (!configuring) startRamp(added, now);
            } else {
                if (s.weight != sc.weight()) {
                    note(s, "reload: weight " + s.weight + " -> " + sc.weight(), now);
                    s.weight = sc.weight();
                }
                s.configuredMaxConn = sc.maxConnections();
                s.applyMaxConn();
                s.backend.sendProxy(sc.sendProxy());
                if (!s.backend.tags().equals(sc.tags())) {
                    note(s, "reload: tags " + new TreeSet<>(s.backend.tags()) + " -> " + new TreeSet<>(sc.tags()), now);
                    s.backend.tags(sc.tags());
                    retagged = true;
                }
                if (s.admin != sc.state()) {
                    boolean wasServing = s.state() == BackendState.UP;
                    s.admin = sc.state();
                    s.cause = "reload: " + sc.state().label();
                    if (!wasServing && s.state() == BackendState.UP) startRamp(s, now);
                }
            }
        }
        if (slots.size() != wanted.size()) slots.keySet().removeIf(n -> !wanted.contains(n));
        // keep config order; a reload that changes a few servers keeps it already
        if (!inOrder(servers)) {
            Map<String, Slot> ordered = new LinkedHashMap<>();
            for (ServerConfig sc : servers) ordered.put(sc.name(), slots.get(sc.name()));
            slots.clear();
            slots.putAll(ordered);
        }
    }

    /** Whether {@link #slots} holds exactly these servers' names, in this order. */
    private boolean inOrder(List<ServerConfig> servers) {
        if (slots.size() != servers.size()) return false;
        Iterator<ServerConfig> wanted = servers.iterator();
        for (String name : slots.keySet()) {
            if (!name.equals(wanted.next().name())) return false;
        }
        return true;
    }

    private void probe(Slot s, boolean ok, String detail, long now) {
        if (s.ejected) {
            if (now < s.ejectedUntil || !ok) return; // still serving its ejection, or still failing
            // "a passing probe brings it back"
            s.health.force(true);
            endEjection(s, now, "probe passed after ejection: " + detail);
            return;
        }
        boolean wasServing = s.state() == BackendState.UP;
        if (s.health.observe(settings.health(), ok)) {
            s.cause = (ok ? "probe passed " + settings.health().rise() + "x: " : "probe failed " + settings.health().fall() + "x: ") + detail;
            if (ok) s.backend.resetConsecutiveFailures();
            if (!wasServing && s.state() == BackendState.UP) startRamp(s, now);
        }
    }

    private void passiveFailure(Slot s, int consecutive, String detail, long now) {
        OutlierDetector od = settings.outliers();
        if (s.ejected || !s.health.up() || !od.shouldEject(consecutive)) return;
        int ejected = 0;
        for (Slot o : slots.values()) if (o.ejected) ejected++;
        int allowed = od.maxEjected(slots.size());
        if (ejected >= allowed) {
            // Ejecting more would move the load of a failing pool onto fewer and fewer back ends
            // (Envoy's max_ejection_percent). Noted once until an ejection ends.
            if (!s.refused) {
                s.refused = true;
                note(s, "ejection refused: " + ejected + " of " + slots.size() + " back ends already ejected (max-ejection-percent "
                        + od.maxEjectionPercent() + ", at most " + allowed + "); " + consecutive + " consecutive failures: " + detail, now);
            }
            return;
        }
        s.eject(od, consecutive, detail, now);
    }

    private void endEjection(Slot s, long now, String cause) {
        s.ejectionEnded(now, cause);
        if (s.state() == BackendState.UP) startRamp(s, now);
        for (Slot o : slots.values()) o.refused = false; // room for another ejection: a refusal is news again
    }

    private void tick(long now) {
        for (Slot s : slots.values()) {
            if (s.ejected && now >= s.ejectedUntil && !settings.activeHealth()) {
                endEjection(s, now, "ejection expired");
            }
            if (s.rampStart != Long.MIN_VALUE && now - s.rampStart >= settings.slowStartNanos()) {
                s.rampStart = Long.MIN_VALUE;
            }
        }
    }

    private void startRamp(Slot s, long now) {
        if (settings.slowStartNanos() > 0 && s.state() == BackendState.UP) s.rampStart = now;
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
        return "Pool{" + name + ", " + algorithm().name() + ", " + snapshot.backends() + "}";
    }
}
