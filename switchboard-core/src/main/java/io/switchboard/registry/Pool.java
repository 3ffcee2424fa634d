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
 * builds the next {@link BackendSet} and {@link Picker} and publishes both with one volatile write,
 * then tells the listeners while still holding the lock. {@link #pick} and {@link #snapshot} never
 * lock and always see a complete, versioned snapshot. The data plane never writes synchronously: it
 * calls {@link #submit}, which hands the change to the registry's writer thread and returns.
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
        boolean refused; // an ejection of this back end was refused and noted; cleared when one ends
        /** What the agent imposes: NONE, DOWN, DRAIN or MAINT (UP and READY clear it). */
        AgentState agentState = AgentState.NONE;
        /** The agent's weight percentage; UNKNOWN while it asked for none. */
        int agentWeightPercent = LoadReport.UNKNOWN;
        /** The configured max-connections; the agent's maxconn overrides it on the back end. */
        int configuredMaxConn;
        /** The agent's maxconn; UNKNOWN while it asked for none. */
        int agentMaxConn = LoadReport.UNKNOWN;

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
            c.refused = refused;
            c.agentState = agentState;
            c.agentWeightPercent = agentWeightPercent;
            c.configuredMaxConn = configuredMaxConn;
            c.agentMaxConn = agentMaxConn;
            return c;
        }
    }

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
    private long version;
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
        this.snapshot = new Snapshot(BackendSet.empty(), algorithm.newPicker(BackendSet.empty(), null), algorithm);
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
            if (onlyLoadFigures(changes)) {
                if (registry != null) registry.applied(this, origin, changes);
                return snapshot;
            }
            long now = nanoClock.getAsLong();
            // for a rollback, and the states the batch's transitions start from
            Map<String, Slot> before = LinkedHashMap.newLinkedHashMap(slots.size());
            for (Map.Entry<String, Slot> e : slots.entrySet()) before.put(e.getKey(), e.getValue().copy());
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
            // notes first: they describe the batch as it went, the state changes where it ended
            List<Transition> transitions = new ArrayList<>(notes);
            List<Member> members = new ArrayList<>(slots.size());
            boolean tick = false;
            for (Slot s : slots.values()) {
                BackendState st = stateOf(s);
                int eff = effectiveWeight(s, now);
                if (s.rampStart != Long.MIN_VALUE || s.ejected) tick = true;
                if (s.published != st) {
                    Slot was = before.get(s.backend.name());
                    transitions.add(new Transition(name, s.backend.name(), was == null ? null : was.published, st, s.cause,
                            wallClock.millis(), now, origin));
                    s.published = st;
                }
                members.add(new Member(s.backend, st, s.admin, s.weight, eff, s.cause));
            }
            for (Map.Entry<String, Slot> e : before.entrySet()) {
                if (!slots.containsKey(e.getKey())) {
                    transitions.add(new Transition(name, e.getKey(), e.getValue().published, BackendState.MAINT,
                            origin == Origin.FILE ? "removed by reload" : "removed", wallClock.millis(), now, origin));
                }
            }
            notes.clear();
            configured = true;
            needsTick = tick;
            boolean rebuild = algorithm != prev.algorithm() || settings.allDown() != settingsBefore.allDown()
                    || retagged || !members.equals(prev.backends().members());
            if (!rebuild && transitions.isEmpty()) {
                if (registry != null) registry.applied(this, origin, changes);
                return prev;
            }
            Snapshot next = prev;
            if (rebuild) {
                BackendSet set = new BackendSet(++version, members, settings.allDown());
                // Same class, new settings (LARD thresholds): the targets keep their back ends.
                Picker carried = algorithm.getClass() == prev.algorithm().getClass() ? prev.picker() : null;
                if (carried == null) {
                    // Another algorithm: a tree the old picker kept (least-conn's) would go on being
                    // updated by every request for nothing. The new picker installs its own, if any.
                    for (Slot s : slots.values()) s.backend.watch(null);
                }
                next = new Snapshot(set, algorithm.newPicker(set, carried), algorithm);
                snapshot = next;
            }
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
                boolean wasServing = stateOf(s) == BackendState.UP;
                s.admin = a.state();
                s.cause = a.cause() == null ? "operator: " + a.state().label() : a.cause();
                if (!wasServing && stateOf(s) == BackendState.UP) startRamp(s, now);
            }
            case Change.Probe p -> probe(slot(p.name()), p.ok(), p.detail(), now);
            case Change.PassiveFailure f -> passiveFailure(slot(f.name()), f.consecutive(), f.detail(), now);
            case Change.Agent a -> agent(slot(a.name()), a.report(), now);
            case Change.Tick t -> tick(now);
            case Change.Reconcile r -> reconcile(r.servers(), now);
            case Change.Configure conf -> throw new IllegalStateException("handled by applyAll");
        }
    }

    /**
     * The fast path: when every change is an agent report that asks for nothing new (state, weight
     * and maxconn as already applied), stores the reports and publishes nothing. Under the lock.
     *
     * @return whether the batch was applied here
     */
    private boolean onlyLoadFigures(List<? extends Change> changes) {
        for (Change c : changes) {
            if (!(c instanceof Change.Agent a)) return false;
            Slot s = slots.get(a.name());
            if (s == null || asksForChange(s, a.report())) return false;
        }
        for (Change c : changes) {
            Change.Agent a = (Change.Agent) c;
            slots.get(a.name()).backend.loadReport(a.report());
        }
        return true;
    }

    private static boolean asksForChange(Slot s, LoadReport r) {
        return agentStateAfter(s.agentState, r.state()) != s.agentState
                || r.weightPercent() != LoadReport.UNKNOWN && r.weightPercent() != percent(s)
                || r.maxConn() != s.agentMaxConn;
    }

    /** UP and READY clear what the agent imposed, NONE leaves it, the others impose themselves. */
    private static AgentState agentStateAfter(AgentState current, AgentState asked) {
        return switch (asked) {
            case NONE -> current;
            case UP, READY -> AgentState.NONE;
            case DOWN, DRAIN, MAINT -> asked;
        };
    }

    private void agent(Slot s, LoadReport r, long now) {
        s.backend.loadReport(r);
        AgentState next = agentStateAfter(s.agentState, r.state());
        if (next != s.agentState) {
            BackendState was = stateOf(s);
            s.agentState = next;
            // only when it shows: an agent's "up" for a server failing its checks explains nothing
            if (stateOf(s) != was) s.cause = "agent: " + (next == AgentState.NONE ? r.state() : next).word();
            if (was != BackendState.UP && stateOf(s) == BackendState.UP) startRamp(s, now);
        }
        if (r.weightPercent() != LoadReport.UNKNOWN && r.weightPercent() != percent(s)) {
            note(s, "agent weight " + percent(s) + "% -> "
                    + r.weightPercent() + "% (weight " + agentWeight(s.weight, s.agentWeightPercent) + " -> "
                    + agentWeight(s.weight, r.weightPercent()) + ")", now);
            s.agentWeightPercent = r.weightPercent();
        }
        if (r.maxConn() != s.agentMaxConn) {
            int before = s.backend.maxConnections();
            s.agentMaxConn = r.maxConn();
            applyMaxConn(s);
            note(s, "agent maxconn " + limit(before) + " -> " + limit(s.backend.maxConnections())
                    + (r.maxConn() == LoadReport.UNKNOWN ? " (configured)" : ""), now);
        }
    }

    /** The agent's weight percentage in force: 100 while it asked for none. */
    private static int percent(Slot s) {
        return s.agentWeightPercent == LoadReport.UNKNOWN ? 100 : s.agentWeightPercent;
    }

    private static String limit(int maxConn) {
        return maxConn == 0 ? "none" : Integer.toString(maxConn);
    }

    private static void applyMaxConn(Slot s) {
        s.backend.maxConnections(s.agentMaxConn == LoadReport.UNKNOWN ? s.configuredMaxConn : s.agentMaxConn);
    }

    /**
     * HAProxy's agent weight: configured x percent / 100; at least 1 unless the configured weight or
     * the percentage is 0, so that 1 x 50% still serves (HAProxy scales weights by 16 for the same reason).
     */
    static int agentWeight(int configured, int percent) {
        if (percent == LoadReport.UNKNOWN) return configured;
        if (configured == 0 || percent == 0) return 0;
        return (int) Math.min(ServerConfig.MAX_WEIGHT, Math.max(1, (long) configured * percent / 100));
    }

    /** A history entry that is not a state change (a weight change, a refused ejection). */
    private void note(Slot s, String what, long now) {
        BackendState st = s.published == null ? stateOf(s) : s.published;
        notes.add(new Transition(name, s.backend.name(), st, st, what, wallClock.millis(), now, origin));
    }

    private Slot add(ServerConfig sc, String cause) {
        if (slots.containsKey(sc.name())) {
            throw new IllegalArgumentException("pool '" + name + "' already has a server named '" + sc.name() + "'");
        }
        Backend b = new Backend(name, sc.name(), sc.host(), sc.port(), inFlight);
        b.maxConnections(sc.maxConnections());
        b.tags(sc.tags());
        b.sendProxy(sc.sendProxy());
        Slot s = new Slot(b, sc.weight(), sc.state(), new HealthPolicy.Tracker(true));
        s.configuredMaxConn = sc.maxConnections();
        s.cause = cause;
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
                applyMaxConn(s);
                s.backend.sendProxy(sc.sendProxy());
                if (!s.backend.tags().equals(sc.tags())) {
                    note(s, "reload: tags " + new TreeSet<>(s.backend.tags()) + " -> " + new TreeSet<>(sc.tags()), now);
                    s.backend.tags(sc.tags());
                    retagged = true;
                }
                if (s.admin != sc.state()) {
                    boolean wasServing = stateOf(s) == BackendState.UP;
                    s.admin = sc.state();
                    s.cause = "reload: " + sc.state().label();
                    if (!wasServing && stateOf(s) == BackendState.UP) startRamp(s, now);
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
        if (s.lastEjectionEnd != 0 && now - s.lastEjectionEnd > od.maxEjectionNanos()) s.ejections = 0;
        s.ejections++;
        long d = od.ejectionNanos(s.ejections);
        s.ejected = true;
        s.refused = false;
        s.ejectedUntil = now + d;
        s.rampStart = Long.MIN_VALUE;
        s.cause = "ejected for " + (d / 1_000_000) + " ms after " + consecutive + " consecutive failures: " + detail;
    }

    private void endEjection(Slot s, long now, String cause) {
        s.ejected = false;
        s.lastEjectionEnd = now;
        s.backend.resetConsecutiveFailures();
        s.cause = cause;
        if (stateOf(s) == BackendState.UP) startRamp(s, now);
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
        if (settings.slowStartNanos() > 0 && stateOf(s) == BackendState.UP) s.rampStart = now;
    }

    private static BackendState stateOf(Slot s) {
        if (s.admin == AdminState.MAINT) return BackendState.MAINT;
        if (s.admin == AdminState.DRAIN) return BackendState.DRAIN;
        if (s.ejected || !s.health.up()) return BackendState.DOWN;
        return switch (s.agentState) {
            case MAINT -> BackendState.MAINT;
            case DRAIN -> BackendState.DRAIN;
            case DOWN -> BackendState.DOWN;
            default -> BackendState.UP;
        };
    }

    /**
     * The agent's weight percentage applied, then the linear slow-start ramp: weight * elapsed /
     * window, at least 1 so a returning back end is tried.
     */
    private int effectiveWeight(Slot s, long now) {
        int w = agentWeight(s.weight, s.agentWeightPercent);
        if (s.rampStart == Long.MIN_VALUE || settings.slowStartNanos() <= 0 || w == 0) return w;
        long elapsed = now - s.rampStart;
        if (elapsed >= settings.slowStartNanos()) return w;
        return (int) Math.max(1, (w * elapsed) / settings.slowStartNanos());
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
