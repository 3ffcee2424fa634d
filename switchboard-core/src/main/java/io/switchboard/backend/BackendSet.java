package io.switchboard.backend;

import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable, versioned snapshot of a pool's members. Built only by the pool's writer; read by
 * any thread without locks.
 *
 * <p>{@link #eligible()} lists the back ends that may receive new requests, with their effective
 * weights at the same index in {@link #weights()}. When none is up, the pool's {@link AllDownPolicy}
 * decides what is eligible; {@link #panic()} says whether that happened.
 */
public final class BackendSet {
    private static final BackendSet EMPTY = new BackendSet(0, List.of(), AllDownPolicy.FAIL);

    private final long version;
    private final List<Member> members;
    private final Backend[] eligible;
    private final int[] weights;
    private final long totalWeight;
    private final boolean panic;

    public BackendSet(long version, List<Member> members, AllDownPolicy allDown) {
        this.version = version;
        this.members = List.copyOf(members);
        List<Member> chosen = new ArrayList<>();
        for (Member m : this.members) {
            if (m.eligible()) chosen.add(m);
        }
        boolean panicked = false;
        if (chosen.isEmpty() && allDown == AllDownPolicy.IGNORE_HEALTH) {
            for (Member m : this.members) {
                if (m.state() == BackendState.DOWN && m.weight() > 0) chosen.add(m);
            }
            panicked = !chosen.isEmpty();
        }
        this.panic = panicked;
        this.eligible = new Backend[chosen.size()];
        this.weights = new int[chosen.size()];
        long total = 0;
        for (int i = 0; i < chosen.size(); i++) {
            eligible[i] = chosen.get(i).backend();
            weights[i] = Math.max(1, panicked ? chosen.get(i).weight() : chosen.get(i).effectiveWeight());
            total += weights[i];
        }
        this.totalWeight = total;
    }

    public static BackendSet empty() { return EMPTY; }

    /** Convenience for tests and the simulator: every back end up with the given weights. */
    public static BackendSet of(long version, List<Backend> backends, int... weights) {
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            int w = weights.length == 0 ? 1 : weights[i];
            ms.add(new Member(backends.get(i), BackendState.UP, AdminState.READY, w, w, "test"));
        }
        return new BackendSet(version, ms, AllDownPolicy.FAIL);
    }

    public long version() { return version; }
    public List<Member> members() { return members; }

    /** The eligible back ends. The array is shared: callers must not modify it. */
    public Backend[] eligible() { return eligible; }

    /** Effective weights, index-aligned with {@link #eligible()}. Shared: do not modify. */
    public int[] weights() { return weights; }

    public int size() { return eligible.length; }
    public long totalWeight() { return totalWeight; }
    public boolean panic() { return panic; }

    public Member member(String name) {
        for (Member m : members) {
            if (m.backend().name().equals(name)) return m;
        }
        return null;
    }

    public List<Backend> eligibleList() {
        return Collections.unmodifiableList(Arrays.asList(eligible));
    }

    @Override
    public String toString() {
        return "BackendSet{v" + version + ", eligible=" + eligible.length + "/" + members.size() + (panic ? ", PANIC" : "") + "}";
    }
}
