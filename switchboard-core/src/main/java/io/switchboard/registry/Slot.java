package io.switchboard.registry;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.config.AdminState;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The writer-owned mutable state of one member of a {@link Pool}, and the rules that follow from
 * that state alone: the state to publish (the strictest of the operator's admin state, health,
 * ejection and the agent's), the agent's weight and maxconn and whether a report asks for a change,
 * an ejection's start and end, the slow-start ramp. The pool decides when (it knows the other
 * members and the settings) and changes slots under its write lock; {@link PoolSnapshotBuilder}
 * reads them to build the snapshot. Never seen by readers.
 */
final class Slot {
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

    /** A new member as configured, counting its requests in the pool's {@code inFlight}. */
    static Slot of(String pool, ServerConfig sc, AtomicInteger inFlight, String cause) {
        Backend b = new Backend(pool, sc.name(), sc.host(), sc.port(), inFlight);
        b.maxConnections(sc.maxConnections());
        b.tags(sc.tags());
        b.sendProxy(sc.sendProxy());
        Slot s = new Slot(b, sc.weight(), sc.state(), new HealthPolicy.Tracker(true));
        s.configuredMaxConn = sc.maxConnections();
        s.cause = cause;
        return s;
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

    /** Copies of every slot, in order: what a batch rolls back to, and the states its transitions start from. */
    static Map<String, Slot> copies(Map<String, Slot> slots) {
        Map<String, Slot> copies = LinkedHashMap.newLinkedHashMap(slots.size());
        for (Map.Entry<String, Slot> e : slots.entrySet()) copies.put(e.getKey(), e.getValue().copy());
        return copies;
    }

    /** The state to publish: the operator's maint and drain win, then health and ejection, then the agent's. */
    BackendState state() {
        if (admin == AdminState.MAINT) return BackendState.MAINT;
        if (admin == AdminState.DRAIN) return BackendState.DRAIN;
        if (ejected || !health.up()) return BackendState.DOWN;
        return switch (agentState) {
            case MAINT -> BackendState.MAINT;
            case DRAIN -> BackendState.DRAIN;
            case DOWN -> BackendState.DOWN;
            default -> BackendState.UP;
        };
    }

    /**
     * Takes the back end out for the detector's next ejection time (longer for each ejection since
     * the count was last reset, which it is when the previous ejection ended long enough ago).
     */
    void eject(OutlierDetector od, int consecutive, String detail, long now) {
        if (lastEjectionEnd != 0 && now - lastEjectionEnd > od.maxEjectionNanos()) ejections = 0;
        ejections++;
        long d = od.ejectionNanos(ejections);
        ejected = true;
        refused = false;
        ejectedUntil = now + d;
        rampStart = Long.MIN_VALUE;
        cause = "ejected for " + (d / 1_000_000) + " ms after " + consecutive + " consecutive failures: " + detail;
    }

    /** The ejection is over (expired, or a probe passed): the failure count starts again. */
    void ejectionEnded(long now, String why) {
        ejected = false;
        lastEjectionEnd = now;
        backend.resetConsecutiveFailures();
        cause = why;
    }

    /**
     * The agent's weight percentage applied, then the linear slow-start ramp: weight * elapsed /
     * window, at least 1 so a returning back end is tried.
     */
    int effectiveWeight(long now, long slowStartNanos) {
        int w = agentWeight(weight, agentWeightPercent);
        if (rampStart == Long.MIN_VALUE || slowStartNanos <= 0 || w == 0) return w;
        long elapsed = now - rampStart;
        if (elapsed >= slowStartNanos) return w;
        return (int) Math.max(1, (w * elapsed) / slowStartNanos);
    }

    /**
     * The fast path: when every change is an agent report that asks for nothing new (state, weight
     * and maxconn as already applied), stores the reports on the back ends and the pool publishes nothing. Under the pool's lock.
     *
     * @return whether the batch was applied here
     */
    static boolean onlyLoadFigures(Map<String, Slot> slots, List<? extends Change> changes) {
        for (Change c : changes) {
            if (!(c instanceof Change.Agent a)) return false;
            Slot s = slots.get(a.name());
            if (s == null || s.asksForChange(a.report())) return false;
        }
        for (Change c : changes) {
            Change.Agent a = (Change.Agent) c;
            slots.get(a.name()).backend.loadReport(a.report());
        }
        return true;
    }

    /** Whether an agent's report asks for something not applied yet (state, weight or maxconn). */
    boolean asksForChange(LoadReport r) {
        return agentStateAfter(agentState, r.state()) != agentState
                || r.weightPercent() != LoadReport.UNKNOWN && r.weightPercent() != percent()
                || r.maxConn() != agentMaxConn;
    }

    /** UP and READY clear what the agent imposed, NONE leaves it, the others impose themselves. */
    static AgentState agentStateAfter(AgentState current, AgentState asked) {
        return switch (asked) {
            case NONE -> current;
            case UP, READY -> AgentState.NONE;
            case DOWN, DRAIN, MAINT -> asked;
        };
    }

    /** The agent's weight percentage in force: 100 while it asked for none. */
    int percent() {
        return agentWeightPercent == LoadReport.UNKNOWN ? 100 : agentWeightPercent;
    }

    /** The back end's max-connections: the agent's while it asks for one, else the configured one. */
    void applyMaxConn() {
        backend.maxConnections(agentMaxConn == LoadReport.UNKNOWN ? configuredMaxConn : agentMaxConn);
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
}
