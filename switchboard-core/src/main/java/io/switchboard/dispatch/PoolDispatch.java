package io.switchboard.dispatch;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithm;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.balance.PickContext;
import io.switchboard.config.RetryOn;
import io.switchboard.health.OutlierDetector;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dispatch side of one pool: picks a back end with room (exclusion and {@code max-connections}),
 * holds the pool's {@link DispatchQueue} and {@link RetryBudget}, and accounts for every attempt's
 * {@link Outcome} on the back end's live counters and passive health.
 *
 * <p>Every {@link #reserve} that returns a back end must be followed by exactly one {@link #complete}
 * for it: that pair keeps in-flight counts, max-connections slots and queue wake-ups exact.
 *
 * <p>The passive-failure threshold is checked here and only here ({@link
 * OutlierDetector#shouldReport}): the pool's writer is told only on every n-th consecutive failure,
 * so a failing back end under load costs the writer one change per threshold, not one per request.
 *
 * <p>Tags: a service class with tags only uses back ends that carry all of them. Its requests pick
 * with the others excluded ({@link #forClass}); the excluded set is computed once per snapshot and
 * tag set and cached, so a request of a tagged class costs a map lookup and a reference compare,
 * and a request without tags nothing at all. (A filter inside every picker would cost the common
 * path a branch per candidate; exclusion is already there for redispatch.)
 *
 * <p>Threading: thread-safe; called from every event loop. Passive failures are submitted to the
 * pool's registry and applied by its writer thread ({@link Pool#submit}): no rebuild runs here.
 */
public final class PoolDispatch {
    private final Pool pool;
    private final DispatchQueue queue = new DispatchQueue();
    private final RetryBudget budget;
    /**
     * Per tag set: the snapshot it was computed for and the members of it that lack a tag. One entry
     * per tag set a class of this pool ever had: a handful.
     */
    private final Map<Set<String>, TagFilter> tagFilters = new ConcurrentHashMap<>();

    private record TagFilter(BackendSet set, Set<Backend> exclude) {}

    public PoolDispatch(Pool pool) {
        this(pool, new RetryBudget(RetryBudget.DEFAULT_PERCENT, RetryBudget.DEFAULT_MIN_CONCURRENCY, pool::inFlight));
    }

    public PoolDispatch(Pool pool, RetryBudget budget) {
        this.pool = pool;
        this.budget = budget;
    }

    public Pool pool() {
        return pool;
    }

    public DispatchQueue queue() {
        return queue;
    }

    public RetryBudget retryBudget() {
        return budget;
    }

    /** A fresh retry state for one request of this pool, with the default {@code retry-on}. */
    public Attempts attempts(int retries) {
        return new Attempts(retries, budget);
    }

    /** A fresh retry state for one request of this pool. */
    public Attempts attempts(int retries, Set<RetryOn> retryOn) {
        return new Attempts(retries, retryOn, budget);
    }

    /**
     * Picks a back end and takes one of its slots (counts the request in flight). When the picked one
     * is at max-connections, asks the picker again without the full ones.
     *
     * @return the back end, reserved; null when none is eligible or every eligible one is full
     *         ({@link #busy} tells which)
     */
    public Backend reserve(PickContext pc) {
        Backend b = pool.pick(pc);
        if (b == null || b.tryDispatch()) return b;
        return belowLimit(b, pc, true);
    }

    /**
     * Session persistence: reserves {@code preferred} (from {@link #persistent}) when it did not fail
     * this request already and has room; else picks as {@link #reserve(PickContext)} does. A full
     * preferred back end breaks the session rather than making the request wait for that one server.
     */
    public Backend reserve(Backend preferred, PickContext pc) {
        if (preferred != null && !pc.excluded(preferred) && preferred.tryDispatch()) return preferred;
        return reserve(pc);
    }

    /**
     * The back end of this name when a session may stay on it: up, or draining (a drain keeps the
     * sessions it has, as HAProxy's does), in the current snapshot; null when it is down, in
     * maintenance, or gone.
     */
    public Backend persistent(String backendName) {
        Member m = pool.snapshot().backends().member(backendName);
        return m != null && (m.state() == BackendState.UP || m.state() == BackendState.DRAIN) ? m.backend() : null;
    }

    /**
     * After {@link #reserve} returned null: whether there are eligible back ends, all at their limit
     * (the request may wait), rather than none at all (503 at once).
     */
    public boolean busy(PickContext pc) {
        return pool.pick(pc) != null;
    }

    /** Whether a back end has room now (no reservation): a waiter that just queued checks for a missed wake-up. */
    public boolean roomNow(PickContext pc) {
        return roomFor(pc) != null;
    }

    /** A back end with room now (no reservation), or null: the slot a waiter that just queued may have missed. */
    public Backend roomFor(PickContext pc) {
        Backend b = pool.pick(pc);
        if (b == null || !b.full()) return b;
        return belowLimit(b, pc, false);
    }

    /** Fairness: a new request of this class must queue behind those already waiting. */
    public boolean mustQueue(int priorityClass) {
        return queue.hasWaitersAtOrBefore(priorityClass);
    }

    /** Fairness with service classes: also behind a waiter of any class that has waited past its age bound. */
    public boolean mustQueue(int priorityClass, long nowNanos) {
        return queue.hasWaitersAtOrBefore(priorityClass, nowNanos);
    }

    /**
     * The pick context of a request of a class with these tags: back ends that lack one are excluded,
     * along with those {@code pc} already excludes. {@code pc} itself when there are no tags.
     */
    public PickContext forClass(PickContext pc, Set<String> tags) {
        if (tags.isEmpty()) return pc;
        BackendSet set = pool.snapshot().backends();
        TagFilter f = tagFilters.get(tags);
        if (f == null || f.set() != set) {
            Set<Backend> lacking = new HashSet<>();
            for (Member m : set.members()) {
                if (!m.backend().tags().containsAll(tags)) lacking.add(m.backend());
            }
            f = new TagFilter(set, Set.copyOf(lacking));
            tagFilters.put(tags, f);
        }
        Set<Backend> exclude = f.exclude();
        if (!pc.exclude().isEmpty()) {
            exclude = new HashSet<>(exclude);
            exclude.addAll(pc.exclude());
        }
        return new PickContext(pc.hash(), pc.nowNanos(), pc.random(), exclude);
    }

    private Backend belowLimit(Backend first, PickContext pc, boolean reserve) {
        Set<Backend> skip = new HashSet<>(pc.exclude());
        skip.add(first);
        int n = pool.snapshot().backends().size();
        for (int i = 0; i < n; i++) {
            Backend c = pool.pick(new PickContext(pc.hash(), pc.nowNanos(), pc.random(), skip));
            if (c == null) return null;
            if (reserve ? c.tryDispatch() : !c.full()) return c;
            skip.add(c);
        }
        return null;
    }

    /**
     * Counts a reserved request's cost (its route's {@code cost}, 1 by default) on its back end, as
     * dispatched since the back end's last agent report; only for algorithms that read it ({@link
     * Algorithm#readsLoad()}), so that other pools pay one volatile read.
     */
    public void charge(Backend b, long cost) {
        if (pool.algorithm().readsLoad()) b.addCost(cost);
    }

    /** The request turned out to be the suspect: takes back the failure charged to {@code b} for it. */
    public void forgive(Backend b) {
        if (b != null) b.forgiveFailure();
    }

    /**
     * Accounts one reserved attempt that ended.
     *
     * @param latencyNanos time from sending the request to the response head (-1: no sample). Only
     *                     the head: a long download says nothing about how fast the server is.
     * @param detail       why it failed, for the passive-failure record; ignored otherwise
     * @return the back end's consecutive failures after this outcome (0 unless charged)
     */
    public int complete(Backend b, Outcome outcome, long latencyNanos, long bytesIn, long bytesOut, long nowNanos,
                        String detail) {
        Algorithm algorithm = pool.algorithm(); // one volatile read of the snapshot, not two
        if (algorithm.readsTraffic()) b.onBytes(bytesIn, bytesOut, nowNanos); else b.countBytes(bytesIn, bytesOut);
        long sample = algorithm.readsLatency() ? latencyNanos : -1;
        int consecutive = switch (outcome.charge()) {
            case SUCCESS -> b.onComplete(true, sample, nowNanos);
            case FAILURE -> b.onComplete(false, sample, nowNanos);
            case NONE -> b.onRelease(nowNanos);
        };
        if (b.maxConnections() > 0) queue.wakeOne(nowNanos, b);
        if (outcome.failure() && pool.settings().outliers().shouldReport(consecutive)) {
            // Applied by the registry's writer, never on this (data-plane) thread.
            pool.submit(Origin.PASSIVE, new Change.PassiveFailure(b.name(), consecutive, detail));
        }
        return consecutive;
    }
}
