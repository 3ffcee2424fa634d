package io.switchboard.registry;

import io.switchboard.config.PoolConfig;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The pools of one dispatcher, across reloads: the one place where pool state changes, and the one
 * stream of numbered events that DNS answers, cluster replication, load reports and the transition
 * log subscribe to.
 *
 * <p>A reload ({@link #reload}) reconciles the pools in place: new pools are added, missing ones
 * removed, and each kept pool keeps its {@link Pool} object, its back ends and their counters
 * (where a server keeps its name and address), its health state and its picker's cursors; a changed
 * algorithm or setting is applied to it ({@link Change.Configure}) rather than rebuilding it.
 *
 * <p>Events: every published snapshot of any pool, every pool added or removed, is one
 * {@link RegistryEvent}, numbered one after the other, with the {@link Origin} of the change. A batch
 * of changes that changes nothing a reader can see publishes nothing and makes no event.
 *
 * <p>Threading: all writes take one write lock, and events are delivered to subscribers under it, so
 * they arrive in version order. The registry owns one writer thread ({@link #start}): the data plane
 * hands changes to it with {@link #submit} (or {@link Pool#submit}) and returns at once, so pickers
 * are never rebuilt on an event loop; the same thread ticks the pools every {@value #TICK_MILLIS} ms
 * while a slow-start ramp or an ejection is pending. The app's reload and the admin API write
 * synchronously on their own (non event-loop) threads with {@link #reload} and {@link #apply}.
 * Reads ({@link #pools}, {@link #pool}) never lock.
 */
public final class PoolRegistry implements AutoCloseable {
    public static final long TICK_MILLIS = 200;
    private static final int HISTORY = 256;
    private static final System.Logger log = System.getLogger(PoolRegistry.class.getName());

    /** What a reload did to the set of pools, by name. */
    public record Reload(List<String> added, List<String> removed, List<String> reconfigured) {}

    private final Object writeLock = new Object();
    private final Executor writer;
    private final ScheduledExecutorService ownWriter; // null when the writer was given
    private final LongSupplier nanoClock;
    private final InstantSource wallClock;
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
    /** Null while nobody taps: then a write pays one volatile read for it. */
    private volatile ChangeTap tap;
    private volatile Map<String, Pool> pools = Map.of();
    // under writeLock
    private final Map<String, PoolConfig> configs = new LinkedHashMap<>();
    private final Deque<Transition> history = new ArrayDeque<>();
    private long version;
    private Pool adding;

    /**
     * A registry whose writes from {@link #submit} run on {@code writer} (tests pass an executor they
     * drain themselves). Nothing ticks: the owner calls {@link #tick}.
     */
    public PoolRegistry(Executor writer, LongSupplier nanoClock, InstantSource wallClock) {
        this(writer, null, nanoClock, wallClock);
    }

    private PoolRegistry(Executor writer, ScheduledExecutorService ownWriter, LongSupplier nanoClock, InstantSource wallClock) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.ownWriter = ownWriter;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    }

    /** A registry with its own writer thread ("switchboard-registry", a daemon) that also ticks the pools. */
    public static PoolRegistry start() {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-registry");
            t.setDaemon(true);
            return t;
        });
        PoolRegistry registry = new PoolRegistry(thread, thread, System::nanoTime, InstantSource.system());
        thread.scheduleWithFixedDelay(registry::tickLogged, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return registry;
    }

    Object writeLock() {
        return writeLock;
    }

    /** The live pools by name, in config order. An immutable view; the pools themselves are live. */
    public Map<String, Pool> pools() {
        return pools;
    }

    /** The pool with that name, or null. */
    public Pool pool(String name) {
        return pools.get(name);
    }

    /** The version of the last event (0 before any). */
    public long version() {
        synchronized (writeLock) {
            return version;
        }
    }

    /** The last transitions and notes of all pools, oldest first (bounded). */
    public List<Transition> history() {
        synchronized (writeLock) {
            return List.copyOf(history);
        }
    }

    /**
     * Adds a subscriber. It hears every event after the returned version; read {@link #pools()} for
     * the state as of that version (no event can slip in between: both happen under the write lock).
     */
    public long subscribe(RegistryListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (writeLock) {
            listeners.add(listener);
            return version;
        }
    }

    public void unsubscribe(RegistryListener listener) {
        listeners.remove(listener);
    }

    /**
     * Sets the one tap that hears every applied batch of every pool (cluster replication).
     *
     * @throws IllegalStateException when another tap is set
     */
    public void tap(ChangeTap t) {
        Objects.requireNonNull(t, "tap");
        synchronized (writeLock) {
            if (tap != null && tap != t) throw new IllegalStateException("the registry already has a change tap: " + tap);
            tap = t;
        }
    }

    /** Removes the tap if it is this one. */
    public void untap(ChangeTap t) {
        synchronized (writeLock) {
            if (tap == t) tap = null;
        }
    }

    /** Called by a registered pool under the write lock after a batch succeeded (published or not). */
    void applied(Pool pool, Origin origin, List<? extends Change> changes) {
        ChangeTap t = tap;
        if (t == null) return;
        try {
            t.applied(pool.name(), origin, changes);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "change tap " + t + " failed on pool " + pool.name(), e);
        }
    }

    /**
     * Makes the pools what the configs describe (start-up and every reload), keeping every pool,
     * back end and counter that persists.
     *
     * @throws IllegalArgumentException when a pool's servers repeat a name (a config the loader
     *     rejects); pools reconciled before it stay reconciled, a new pool that failed is not added
     */
    public Reload reload(Collection<PoolConfig> next, Origin origin) {
        Objects.requireNonNull(origin, "origin");
        synchronized (writeLock) {
            List<String> added = new ArrayList<>();
            List<String> reconfigured = new ArrayList<>();
            Map<String, PoolConfig> wanted = new LinkedHashMap<>();
            for (PoolConfig pc : next) wanted.put(pc.name(), pc);
            for (PoolConfig pc : wanted.values()) {
                Pool cur = pools.get(pc.name());
                if (cur == null) {
                    Pool pool = new Pool(pc.name(), Pool.algorithmOf(pc), Pool.Settings.of(pc), nanoClock, wallClock, this);
                    put(pool);
                    configs.put(pc.name(), pc);
                    adding = pool;
                    try {
                        pool.applyAll(origin, List.of(new Change.Reconcile(pc.servers())));
                    } catch (RuntimeException e) {
                        Map<String, Pool> m = new LinkedHashMap<>(pools);
                        m.remove(pc.name());
                        pools = Collections.unmodifiableMap(m);
                        configs.remove(pc.name());
                        throw e;
                    } finally {
                        adding = null;
                    }
                    // an empty pool publishes nothing: it is announced all the same
                    if (pool.snapshot().backends().version() == 0) {
                        emit(RegistryEvent.Kind.ADDED, origin, pool, pool.snapshot(), List.of());
                    }
                    added.add(pc.name());
                    continue;
                }
                PoolConfig before = configs.get(pc.name());
                List<Change> changes = new ArrayList<>(2);
                if (!sameShape(before, pc)) {
                    changes.add(new Change.Configure(sameAlgorithm(before, pc) ? cur.algorithm() : Pool.algorithmOf(pc),
                            Pool.Settings.of(pc)));
                    reconfigured.add(pc.name());
                }
                changes.add(new Change.Reconcile(pc.servers()));
                cur.applyAll(origin, changes);
                configs.put(pc.name(), pc);
            }
            List<String> removed = new ArrayList<>();
            for (Pool p : List.copyOf(pools.values())) {
                if (wanted.containsKey(p.name())) continue;
                Map<String, Pool> m = new LinkedHashMap<>(pools);
                m.remove(p.name());
                pools = Collections.unmodifiableMap(m);
                configs.remove(p.name());
                removed.add(p.name());
                emit(RegistryEvent.Kind.REMOVED, origin, p, p.snapshot(), List.of());
            }
            Map<String, Pool> ordered = new LinkedHashMap<>();
            for (String name : wanted.keySet()) ordered.put(name, pools.get(name));
            pools = Collections.unmodifiableMap(ordered);
            return new Reload(List.copyOf(added), List.copyOf(removed), List.copyOf(reconfigured));
        }
    }

    private void put(Pool pool) {
        Map<String, Pool> m = new LinkedHashMap<>(pools);
        m.put(pool.name(), pool);
        pools = Collections.unmodifiableMap(m);
    }

    /**
     * Applies the changes to the named pool on the caller's thread and publishes once (nothing when
     * they change nothing). For the app's and the admin API's threads, never an event loop.
     *
     * @throws IllegalArgumentException for an unknown pool, or as {@link Pool#applyAll}
     */
    public Pool.Snapshot apply(String pool, Origin origin, List<? extends Change> changes) {
        Pool p = pools.get(pool);
        if (p == null) {
            throw new IllegalArgumentException("no pool named '" + pool + "' (has: " + String.join(", ", pools.keySet()) + ")");
        }
        return p.applyAll(origin, changes);
    }

    /**
     * Hands one change of the named pool to the writer thread and returns at once; safe on an event
     * loop. Dropped when the pool or the back end it names is gone by the time it runs, or when the
     * registry is closed.
     */
    public void submit(String pool, Origin origin, Change change) {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(change, "change");
        execute(() -> {
            Pool p = pools.get(pool);
            if (p != null) applyDropping(p, origin, change);
        });
    }

    /** {@link Pool#submit} of a registered pool: dropped if the pool was removed (or replaced) meanwhile. */
    void submit(Pool pool, Origin origin, Change change) {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(change, "change");
        execute(() -> {
            if (pools.get(pool.name()) == pool) applyDropping(pool, origin, change);
        });
    }

    private void execute(Runnable task) {
        try {
            writer.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: the dispatcher is stopping and nothing reads the pools any more
        }
    }

    private static void applyDropping(Pool pool, Origin origin, Change change) {
        try {
            pool.applyAll(origin, List.of(change));
        } catch (IllegalArgumentException e) {
            // the back end left (reload, admin API) while the change waited: nothing to apply it to
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "pool " + pool.name() + ": applying " + change + " (" + origin.label() + ") failed", e);
        }
    }

    /** Advances slow-start ramps and ejection expiry of every pool that has one pending. */
    public void tick() {
        for (Pool p : pools.values()) {
            if (p.needsTick()) p.applyAll(Origin.CLOCK, List.of(new Change.Tick()));
        }
    }

    /** A scheduled task that throws is cancelled for good, hence the catch. */
    private void tickLogged() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "pool tick failed", e);
        }
    }

    /** Called by a registered pool under the write lock after it published. */
    void published(Pool pool, Origin origin, Pool.Snapshot snapshot, List<Transition> transitions) {
        if (pool != adding && pools.get(pool.name()) != pool) return; // removed by a reload: no longer announced
        RegistryEvent.Kind kind = pool == adding ? RegistryEvent.Kind.ADDED : RegistryEvent.Kind.CHANGED;
        emit(kind, origin, pool, snapshot, transitions);
    }

    private void emit(RegistryEvent.Kind kind, Origin origin, Pool pool, Pool.Snapshot snapshot, List<Transition> transitions) {
        for (Transition t : transitions) {
            history.addLast(t);
            while (history.size() > HISTORY) history.removeFirst();
        }
        RegistryEvent event = new RegistryEvent(++version, kind, origin, pool, snapshot, transitions);
        for (RegistryListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                // one broken subscriber must not keep the others from hearing, nor fail the write
                log.log(Level.WARNING, "registry subscriber " + l + " failed on event " + event.version(), e);
            }
        }
    }

    /**
     * True when a pool built from {@code before} is what {@code after} asks for, apart from its
     * servers: then a reload only reconciles its servers.
     */
    public static boolean sameShape(PoolConfig before, PoolConfig after) {
        return sameAlgorithm(before, after) && Pool.Settings.of(before).equals(Pool.Settings.of(after));
    }

    private static boolean sameAlgorithm(PoolConfig before, PoolConfig after) {
        return before.algorithm().equals(after.algorithm())
                && (!after.algorithm().endsWith("-hash") || before.hashLoadFactor() == after.hashLoadFactor())
                && (!after.algorithm().startsWith("lard") || before.lardLow() == after.lardLow()
                        && before.lardHigh() == after.lardHigh()
                        && (!after.algorithm().equals("lard-r") || before.lardShrinkAfter().equals(after.lardShrinkAfter())))
                && (!after.algorithm().equals("least-load") || before.reportMaxAge().equals(after.reportMaxAge()))
                && (!after.algorithm().equals("chain") || before.candidacy().equals(after.candidacy()));
    }

    /** Stops the writer thread it owns; changes submitted afterwards are dropped. Idempotent. */
    @Override
    public void close() {
        if (ownWriter != null) ownWriter.shutdownNow();
    }
}
