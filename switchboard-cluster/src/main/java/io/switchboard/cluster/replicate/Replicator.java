package io.switchboard.cluster.replicate;

import io.switchboard.cluster.ClusterStatus;
import io.switchboard.cluster.group.ClusterView;
import io.switchboard.config.ClusterConfig;
import io.switchboard.load.LoadReport;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.StickTable;
import io.switchboard.registry.Change;
import io.switchboard.registry.ChangeTap;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import java.lang.System.Logger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Shares this balancer's state with the other members of its cluster, and applies theirs: stick-table
 * entries, the operator's changes (drain, maint, ready, weight), the agents' load reports and the
 * active probes' results, as configured ({@link ClusterConfig.Shared}).
 *
 * <p>What it sends: it taps the registry ({@link ChangeTap}) and listens to every stick table
 * ({@link PersistenceState.StickListener}). {@link Origin#API} admin and weight changes,
 * {@link Origin#AGENT} reports and {@link Origin#PROBE} results are queued; stick entries are
 * coalesced by pool and key (the latest server wins) and reports by pool and server (the latest
 * wins). A flush every {@value #FLUSH_MILLIS} ms (at once after an operator's change, or when
 * {@value #FLUSH_AT} entries wait) encodes the queue into as few messages as
 * {@link ReplicationCodec} allows and broadcasts them, so a busy node does not send a message per
 * request.
 *
 * <p>What it applies: a peer's message ({@link #received}) is decoded (a malformed one is dropped,
 * counted and logged at most every {@value #LOG_EVERY_SECONDS} s); stick entries go into the table
 * with {@link StickTable#adopt} (the table's listener is not told), changes into the registry with
 * {@link Origin#PEER}, per pool in one batch. Taps of {@link Origin#PEER} batches are ignored: a
 * replicated change is never sent on, so nothing is echoed. An update naming a pool, server or stick
 * table this node does not have, or a kind this node does not share, is dropped and counted.
 *
 * <p>Catching up ({@link #viewChanged}): when a view brings members this node did not see in its
 * previous view, the first member of the new view that was already in its previous view sends the
 * current stick entries and the operator's changes it knows of (its own and those applied from
 * peers). On a join that is one old member; when a partition heals, one member of each side. The
 * receivers apply them like any update: idempotent.
 *
 * <p>Threading: {@link #received} and {@link #viewChanged} from the group's delivery threads (any
 * thread); the tap and the stick listener run on the writers' threads and only queue; one own
 * thread ("cluster-replicate-<self>") encodes, broadcasts and sends catch-ups. {@link #close} once.
 */
public final class Replicator implements AutoCloseable {
    static final long FLUSH_MILLIS = 50;
    static final int FLUSH_AT = 1000;
    /** Changes waiting beyond this are dropped (a broadcast that cannot keep up): the state stays local. */
    static final int MAX_QUEUED = 100_000;
    static final long LOG_EVERY_SECONDS = 10;
    private static final Logger LOG = System.getLogger(Replicator.class.getName());

    private record StickId(String pool, String key) {}

    private record ServerId(String pool, String server) {}

    private final String self;
    private final Set<ClusterConfig.Shared> what;
    private final PoolRegistry registry;
    private final PersistenceState persistence;
    private final Consumer<byte[]> broadcast;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService thread;
    private final ChangeTap tap = this::tapped;

    private final Object lock = new Object();
    // under lock
    private Map<StickId, Update> sticks = new LinkedHashMap<>();
    private Map<ServerId, Update.Load> loads = new LinkedHashMap<>();
    private List<Update> queued = new ArrayList<>();
    private final Map<ServerId, Update.Admin> adminLedger = new LinkedHashMap<>();
    private final Map<ServerId, Update.Weight> weightLedger = new LinkedHashMap<>();
    private Set<String> previousMembers;
    private boolean flushPending;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong overflow = new AtomicLong();
    /** At most one line every {@value #LOG_EVERY_SECONDS} s, saying how many were left out meanwhile. */
    private final ThrottledWarnings warnings;

    /**
     * Starts sharing at once: taps the registry, listens to the stick tables, starts the flush thread.
     *
     * @param self this node's member name
     * @param what what this node shares (sends and applies)
     * @param broadcast sends a message to every other member; may throw (counted as not sent, logged)
     */
    public Replicator(String self, Set<ClusterConfig.Shared> what, PoolRegistry registry, PersistenceState persistence,
                      Consumer<byte[]> broadcast) {
        this(self, what, registry, persistence, broadcast, System::nanoTime);
    }

    Replicator(String self, Set<ClusterConfig.Shared> what, PoolRegistry registry, PersistenceState persistence,
               Consumer<byte[]> broadcast, LongSupplier nanoClock) {
        this.self = Objects.requireNonNull(self, "self");
        this.what = what.isEmpty() ? EnumSet.noneOf(ClusterConfig.Shared.class) : EnumSet.copyOf(what);
        this.registry = Objects.requireNonNull(registry, "registry");
        this.persistence = Objects.requireNonNull(persistence, "persistence");
        this.broadcast = Objects.requireNonNull(broadcast, "broadcast");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.previousMembers = Set.of(self);
        this.warnings = new ThrottledWarnings(LOG, "cluster member " + self + ": ", TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS),
                nanoClock);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-replicate-" + self);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::flushLogged, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        if (shares(ClusterConfig.Shared.ADMIN) || shares(ClusterConfig.Shared.LOAD) || shares(ClusterConfig.Shared.HEALTH)) {
            try {
                registry.tap(tap);
            } catch (RuntimeException e) {
                thread.shutdownNow();
                throw e;
            }
        }
        if (shares(ClusterConfig.Shared.STICK_TABLES)) {
            persistence.listen(new PersistenceState.StickListener() {
                @Override
                public void stuck(String pool, String key, String server) {
                    queueStick(new StickId(pool, key), new Update.Stick(pool, key, server));
                }

                @Override
                public void forgotten(String pool, String key) {
                    queueStick(new StickId(pool, key), new Update.Forget(pool, key));
                }
            });
        }
    }

    private boolean shares(ClusterConfig.Shared s) {
        return what.contains(s);
    }

    /** What was sent, received, applied and dropped since start. */
    public ClusterStatus.Replication stats() {
        return new ClusterStatus.Replication(sent.get(), received.get(), applied.get(), dropped.get());
    }

    // ---- sending

    /** The registry's tap: on the writer's thread under its lock, so it only queues. */
    private void tapped(String pool, Origin origin, List<? extends Change> changes) {
        if (origin == Origin.PEER) return; // applied from a peer: sending it on would echo it
        boolean now = false;
        synchronized (lock) {
            for (Change c : changes) {
                switch (c) {
                    case Change.SetAdmin a when origin == Origin.API && shares(ClusterConfig.Shared.ADMIN) -> {
                        Update.Admin u = new Update.Admin(pool, a.name(), a.state(), a.cause() == null ? "" : a.cause());
                        adminLedger.put(new ServerId(pool, a.name()), u);
                        now |= queue(u);
                    }
                    case Change.SetWeight w when origin == Origin.API && shares(ClusterConfig.Shared.ADMIN) -> {
                        Update.Weight u = new Update.Weight(pool, w.name(), w.weight());
                        weightLedger.put(new ServerId(pool, w.name()), u);
                        now |= queue(u);
                    }
                    case Change.Agent a when origin == Origin.AGENT && shares(ClusterConfig.Shared.LOAD) -> {
                        // the age is taken when it is sent
                        if (loads.size() < MAX_QUEUED) {
                            loads.put(new ServerId(pool, a.name()), new Update.Load(pool, a.name(), 0, a.report()));
                        } else {
                            overflow.incrementAndGet();
                        }
                    }
                    case Change.Probe p when origin == Origin.PROBE && shares(ClusterConfig.Shared.HEALTH) ->
                            queue(new Update.Probe(pool, p.name(), p.ok(), p.detail() == null ? "" : p.detail()));
                    case Change.Remove r when origin == Origin.API -> {
                        adminLedger.remove(new ServerId(pool, r.name()));
                        weightLedger.remove(new ServerId(pool, r.name()));
                    }
                    default -> {
                        // file reloads, passive checks, ticks: each member has its own
                    }
                }
            }
        }
        if (now) flushSoon();
    }

    /** Under lock. @return true: an operator's change, to be sent without waiting for the next flush */
    private boolean queue(Update u) {
        if (queued.size() >= MAX_QUEUED) {
            overflow.incrementAndGet();
            return false;
        }
        queued.add(u);
        return u instanceof Update.Admin || u instanceof Update.Weight;
    }

    /** The stick tables' listener: under a table's lock, so it only queues. */
    private void queueStick(StickId id, Update u) {
        boolean full;
        synchronized (lock) {
            if (sticks.size() >= MAX_QUEUED && !sticks.containsKey(id)) {
                overflow.incrementAndGet();
                return;
            }
            sticks.put(id, u);
            full = sticks.size() == FLUSH_AT;
        }
        if (full) flushSoon();
    }

    private void flushSoon() {
        synchronized (lock) {
            if (flushPending) return;
            flushPending = true;
        }
        try {
            thread.execute(this::flushLogged);
        } catch (RejectedExecutionException closed) {
            // closing: the final flush in close() sends what is queued
        }
    }

    private void flushLogged() {
        try {
            flush();
        } catch (RuntimeException e) {
            // a scheduled task that throws is cancelled for good
            warnings.warn("flushing the replication queue failed: " + e);
        }
    }

    /** On the own thread: sends what is queued. */
    private void flush() {
        List<Update> out;
        synchronized (lock) {
            flushPending = false;
            if (sticks.isEmpty() && loads.isEmpty() && queued.isEmpty()) return;
            out = new ArrayList<>(sticks.size() + loads.size() + queued.size());
            out.addAll(queued);
            out.addAll(sticks.values());
            queued = new ArrayList<>();
            sticks = new LinkedHashMap<>();
            Map<ServerId, Update.Load> l = loads;
            loads = new LinkedHashMap<>();
            long now = nanoClock.getAsLong();
            for (Update.Load u : l.values()) {
                out.add(new Update.Load(u.pool(), u.server(), Math.max(0, now - u.report().receivedNanos()), u.report()));
            }
        }
        send(out);
        long lost = overflow.getAndSet(0);
        if (lost > 0) warnings.warn(lost + " replication updates were not queued: the queue was full (" + MAX_QUEUED + ")");
    }

    private void send(List<Update> updates) {
        ReplicationCodec.Encoded encoded = ReplicationCodec.encode(updates);
        if (encoded.skipped() > 0) {
            warnings.warn(encoded.skipped() + " replication updates not sent: a pool, server or key name is longer than"
                    + " the wire allows (" + ReplicationCodec.MAX_NAME_BYTES + " bytes a name, " + ReplicationCodec.MAX_KEY_BYTES + " a key)");
        }
        for (byte[] m : encoded.messages()) {
            try {
                broadcast.accept(m);
                sent.incrementAndGet();
            } catch (RuntimeException e) {
                warnings.warn("broadcasting " + m.length + " bytes of shared state failed: " + e);
            }
        }
    }

    // ---- catching up

    /** A new agreed view: when it brings members not seen in the previous one, maybe send them the state. */
    public void viewChanged(ClusterView view) {
        List<String> ids = view.memberIds();
        boolean sender;
        synchronized (lock) {
            Set<String> before = previousMembers;
            previousMembers = new HashSet<>(ids);
            previousMembers.add(self);
            boolean newcomers = false;
            String first = null;
            for (String id : ids) {
                if (!before.contains(id)) newcomers = true;
                else if (first == null) first = id;
            }
            sender = newcomers && self.equals(first);
        }
        if (!sender) return;
        try {
            thread.execute(this::catchUpLogged);
        } catch (RejectedExecutionException closed) {
            // closing: nothing more to send
        }
    }

    private void catchUpLogged() {
        try {
            flush(); // what was queued before goes first, so the snapshot is not overtaken by older updates
            send(currentState());
        } catch (RuntimeException e) {
            warnings.warn("sending the shared state to new members failed: " + e);
        }
    }

    /** The stick entries of every table and the operator's changes still meaning something here. */
    List<Update> currentState() {
        List<Update> out = new ArrayList<>();
        if (shares(ClusterConfig.Shared.ADMIN)) {
            synchronized (lock) {
                for (Update.Admin a : adminLedger.values()) {
                    if (hasServer(a.pool(), a.server())) out.add(a);
                }
                for (Update.Weight w : weightLedger.values()) {
                    if (hasServer(w.pool(), w.server())) out.add(w);
                }
            }
        }
        if (shares(ClusterConfig.Shared.STICK_TABLES)) {
            long now = nanoClock.getAsLong();
            for (String pool : registry.pools().keySet()) {
                PersistenceState.PoolPersistence pp = persistence.pool(pool);
                StickTable table = pp == null ? null : pp.table();
                if (table == null) continue;
                for (StickTable.Entry e : table.page(null, table.capacity(), now).entries()) {
                    if (e.server() != null) out.add(new Update.Stick(pool, e.key(), e.server()));
                }
            }
        }
        return out;
    }

    private boolean hasServer(String pool, String server) {
        Pool p = registry.pool(pool);
        return p != null && p.backend(server) != null;
    }

    // ---- applying

    /** A peer's message: applied here, never sent on. Never throws. */
    public void received(String from, byte[] payload) {
        received.incrementAndGet();
        List<Update> updates;
        try {
            updates = ReplicationCodec.decode(payload);
        } catch (ReplicationCodec.MalformedUpdateException e) {
            dropped.incrementAndGet();
            warnings.warn("shared state from " + from + " dropped: " + e.getMessage() + " (first bytes "
                    + ReplicationCodec.preview(payload) + ")");
            return;
        }
        try {
            apply(from, updates);
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
            warnings.warn("applying shared state from " + from + " failed: " + e);
        }
    }

    private void apply(String from, List<Update> updates) {
        long now = nanoClock.getAsLong();
        Map<String, List<Change>> changes = new LinkedHashMap<>();
        Map<String, List<Update>> operator = new LinkedHashMap<>();
        for (Update u : updates) {
            switch (u) {
                case Update.Stick s -> {
                    StickTable t = shares(ClusterConfig.Shared.STICK_TABLES) ? table(s.pool()) : null;
                    if (t == null || !hasServer(s.pool(), s.server())) {
                        dropped.incrementAndGet();
                    } else {
                        t.adopt(s.key(), s.server(), now);
                        applied.incrementAndGet();
                    }
                }
                case Update.Forget f -> {
                    StickTable t = shares(ClusterConfig.Shared.STICK_TABLES) ? table(f.pool()) : null;
                    if (t == null) {
                        dropped.incrementAndGet();
                    } else {
                        t.forgetAdopted(f.key());
                        applied.incrementAndGet();
                    }
                }
                case Update.Admin a -> {
                    String cause = (a.cause().isEmpty() ? "operator: " + a.state().label() : a.cause()) + " (from " + from + ")";
                    if (change(changes, a, ClusterConfig.Shared.ADMIN, new Change.SetAdmin(a.server(), a.state(), cause))) {
                        operator.computeIfAbsent(a.pool(), k -> new ArrayList<>()).add(a);
                    }
                }
                case Update.Weight w -> {
                    if (change(changes, w, ClusterConfig.Shared.ADMIN, new Change.SetWeight(w.server(), w.weight()))) {
                        operator.computeIfAbsent(w.pool(), k -> new ArrayList<>()).add(w);
                    }
                }
                case Update.Load l -> {
                    LoadReport dated = l.report().receivedAt(now - l.ageNanos());
                    change(changes, l, ClusterConfig.Shared.LOAD, new Change.Agent(l.server(), dated));
                }
                case Update.Probe p -> change(changes, p, ClusterConfig.Shared.HEALTH,
                        new Change.Probe(p.server(), p.ok(), "peer " + from + ": " + p.detail()));
            }
        }
        for (Map.Entry<String, List<Change>> e : changes.entrySet()) {
            try {
                registry.apply(e.getKey(), Origin.PEER, e.getValue());
                applied.addAndGet(e.getValue().size());
            } catch (IllegalArgumentException refused) {
                // the pool changed between the check and the write (a reload): nothing of the batch applied
                dropped.addAndGet(e.getValue().size());
                warnings.warn("shared state from " + from + " for pool " + e.getKey() + " not applied: " + refused.getMessage());
                continue;
            }
            remember(operator.getOrDefault(e.getKey(), List.of()));
        }
    }

    /** @return whether the change was queued to be applied */
    private boolean change(Map<String, List<Change>> changes, Update u, ClusterConfig.Shared kind, Change c) {
        String server = switch (u) {
            case Update.Admin a -> a.server();
            case Update.Weight w -> w.server();
            case Update.Load l -> l.server();
            case Update.Probe p -> p.server();
            default -> throw new IllegalStateException("not a pool change: " + u);
        };
        if (!shares(kind) || !hasServer(u.pool(), server)) {
            dropped.incrementAndGet();
            return false;
        }
        changes.computeIfAbsent(u.pool(), k -> new ArrayList<>()).add(c);
        return true;
    }

    /** Operator changes applied from a peer are part of the state a later joiner gets (as sent, causes unchanged). */
    private void remember(List<Update> updates) {
        synchronized (lock) {
            for (Update u : updates) {
                if (u instanceof Update.Admin a) {
                    adminLedger.put(new ServerId(a.pool(), a.server()), a);
                } else if (u instanceof Update.Weight w) {
                    weightLedger.put(new ServerId(w.pool(), w.server()), w);
                }
            }
        }
    }

    private StickTable table(String pool) {
        PersistenceState.PoolPersistence pp = persistence.pool(pool);
        return pp == null ? null : pp.table();
    }

    // ---- the rest

    /** Stops listening, sends what is queued, stops the thread. */
    @Override
    public void close() {
        registry.untap(tap);
        if (shares(ClusterConfig.Shared.STICK_TABLES)) persistence.listen(null);
        try {
            thread.execute(this::flushLogged);
        } catch (RejectedExecutionException already) {
            return;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) thread.shutdownNow();
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Replicator{" + self + ", " + what + "}";
    }
}
