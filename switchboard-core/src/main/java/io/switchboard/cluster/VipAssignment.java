package io.switchboard.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which member of the cluster holds which virtual address, computed by every member from the
 * agreed group view alone, so that no second round of voting is needed (the Wackamole idea: every
 * address always served by exactly one machine). Stateless and pure; safe from any thread.
 *
 * <p>Rules, strongest first: every address is held by exactly one member of the view; among the
 * eligible members the counts differ by at most one; members younger than the maturity period are
 * not eligible (so a flapping node does not pull addresses back and forth), unless no member is
 * mature, in which case the members with the earliest join time are eligible — they are the ones
 * that will mature first, so the addresses do not move again when they do; an address goes to a
 * member that prefers it when the balance allows (also taking it back from its current holder);
 * otherwise it stays where it was; what is left goes where there is room.
 *
 * <p>Algorithm, with {@code n} addresses and {@code k} eligible members in view order:
 * <ol>
 *   <li>Quotas: every eligible member gets {@code n / k}; the {@code n % k} extra places go to the
 *       members that can use them best, ranked by the preferred addresses no earlier member prefers
 *       (capped at {@code n / k + 1}), then by the addresses held before (same cap), then view order.
 *       Ranking by what was held makes the result a fixed point: fed back as {@code previous}, the
 *       same members get the extra places again.</li>
 *   <li>Preferences: members in view order take their preferred addresses, in their own order,
 *       while under quota. This ignores the previous holder, so it is the same on every pass.</li>
 *   <li>Stay: every address not yet placed stays with its previous holder if that member is
 *       eligible and under quota.</li>
 *   <li>Fill: every address still unplaced, in configured order, goes to the member with the most
 *       room left, the earliest in the view on ties.</li>
 * </ol>
 * All iteration is over lists (view order, configured address order, preference order), never
 * over a map or set, so the result does not depend on hashing. Consequences the property tests
 * check: a member leaving moves only its own addresses (unless preferences are now satisfiable),
 * a mature member joining receives at most {@code ceil(n / k)} addresses and nothing else moves,
 * and the result fed back as {@code previous} yields itself.
 *
 * <p>The join times and {@code nowMillis} must come from the agreed state (for example a time
 * stamped by the coordinator into the view or state exchange), not each member's own clock;
 * otherwise two members on either side of a maturity boundary would compute different results.
 */
public final class VipAssignment {
    private VipAssignment() {}

    /**
     * The assignment of every address in {@code vips} to one member of {@code view}.
     *
     * @param view the agreed view, in the group's order (the coordinator first with JGroups)
     * @param vips the configured virtual addresses, in configured order, without duplicates
     * @param previous the assignment in force before this view (address to member id); entries for
     *     unknown addresses or members no longer eligible are ignored
     * @param nowMillis the agreed current time, in the time base of {@link ClusterMember#joinedAtMillis()}
     * @param maturity how long a member must have been in the group before it takes addresses
     * @return address to member id, in configured address order, unmodifiable; empty when the view is empty
     */
    public static Map<String, String> assign(
            List<ClusterMember> view, List<String> vips, Map<String, String> previous, long nowMillis, Duration maturity) {
        validate(view, vips, previous, maturity);
        if (view.isEmpty()) {
            return Map.of();
        }
        List<ClusterMember> eligible = eligible(view, nowMillis, maturity);
        int k = eligible.size();
        int n = vips.size();
        Map<String, Integer> memberIndex = new HashMap<>();
        for (int i = 0; i < k; i++) {
            memberIndex.put(eligible.get(i).id(), i);
        }
        Map<String, Integer> vipIndex = new HashMap<>();
        for (int p = 0; p < n; p++) {
            vipIndex.put(vips.get(p), p);
        }

        int[] quota = quotas(eligible, vips, previous, vipIndex, memberIndex);
        String[] owner = new String[n];
        int[] count = new int[k];

        for (int i = 0; i < k; i++) {
            ClusterMember m = eligible.get(i);
            for (String vip : m.preferredVips()) {
                Integer p = vipIndex.get(vip);
                if (p != null && owner[p] == null && count[i] < quota[i]) {
                    owner[p] = m.id();
                    count[i]++;
                }
            }
        }
        for (int p = 0; p < n; p++) {
            if (owner[p] != null) {
                continue;
            }
            Integer i = holderIndex(previous.get(vips.get(p)), memberIndex);
            if (i != null && count[i] < quota[i]) {
                owner[p] = eligible.get(i).id();
                count[i]++;
            }
        }
        for (int p = 0; p < n; p++) {
            if (owner[p] != null) {
                continue;
            }
            int best = 0;
            for (int i = 1; i < k; i++) {
                if (quota[i] - count[i] > quota[best] - count[best]) {
                    best = i;
                }
            }
            owner[p] = eligible.get(best).id();
            count[best]++;
        }

        Map<String, String> result = new LinkedHashMap<>();
        for (int p = 0; p < n; p++) {
            result.put(vips.get(p), owner[p]);
        }
        return Collections.unmodifiableMap(result);
    }

    /** Mature members in view order; if there are none, the members with the earliest join time. */
    static List<ClusterMember> eligible(List<ClusterMember> view, long nowMillis, Duration maturity) {
        List<ClusterMember> mature = new ArrayList<>();
        long earliest = Long.MAX_VALUE;
        for (ClusterMember m : view) {
            if (m.matureAt(nowMillis, maturity)) {
                mature.add(m);
            }
            earliest = Math.min(earliest, m.joinedAtMillis());
        }
        if (!mature.isEmpty()) {
            return mature;
        }
        List<ClusterMember> oldest = new ArrayList<>();
        for (ClusterMember m : view) {
            if (m.joinedAtMillis() == earliest) {
                oldest.add(m);
            }
        }
        return oldest;
    }

    private static int[] quotas(
            List<ClusterMember> eligible,
            List<String> vips,
            Map<String, String> previous,
            Map<String, Integer> vipIndex,
            Map<String, Integer> memberIndex) {
        int k = eligible.size();
        int base = vips.size() / k;
        int extra = vips.size() % k;
        int[] claims = new int[k];
        Set<String> claimed = new HashSet<>();
        for (int i = 0; i < k; i++) {
            for (String vip : eligible.get(i).preferredVips()) {
                if (vipIndex.containsKey(vip) && claimed.add(vip)) {
                    claims[i]++;
                }
            }
        }
        int[] held = new int[k];
        for (String vip : vips) {
            Integer i = holderIndex(previous.get(vip), memberIndex);
            if (i != null) {
                held[i]++;
            }
        }
        int cap = base + 1;
        List<Integer> ranking = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            ranking.add(i);
        }
        ranking.sort(Comparator.<Integer>comparingInt(i -> -Math.min(cap, claims[i]))
                .thenComparingInt(i -> -Math.min(cap, held[i]))
                .thenComparingInt(i -> i));
        int[] quota = new int[k];
        Arrays.fill(quota, base);
        for (int r = 0; r < extra; r++) {
            quota[ranking.get(r)]++;
        }
        return quota;
    }

    private static Integer holderIndex(String holder, Map<String, Integer> memberIndex) {
        return holder == null ? null : memberIndex.get(holder);
    }

    private static void validate(
            List<ClusterMember> view, List<String> vips, Map<String, String> previous, Duration maturity) {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(vips, "vips");
        Objects.requireNonNull(previous, "previous assignment");
        Objects.requireNonNull(maturity, "maturity");
        if (maturity.isNegative()) {
            throw new IllegalArgumentException("maturity must be zero or positive, got " + maturity);
        }
        Set<String> ids = new HashSet<>();
        for (ClusterMember m : view) {
            Objects.requireNonNull(m, "view contains a null member");
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException(
                        "view lists member '" + m.id() + "' twice; member ids must be unique");
            }
        }
        Set<String> seen = new HashSet<>();
        for (String vip : vips) {
            Objects.requireNonNull(vip, "virtual address list contains null");
            if (!seen.add(vip)) {
                throw new IllegalArgumentException(
                        "virtual address '" + vip + "' is listed twice; each address may appear once");
            }
        }
    }

    /**
     * What one member must change on its own interfaces when the assignment goes from
     * {@code before} to {@code after}: the addresses to add (then announce with gratuitous ARP) and
     * those to remove. Both lists sorted, so that every run does the same steps in the same order.
     */
    public record Diff(List<String> add, List<String> remove) {
        public Diff {
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }

        /** The changes for member {@code self}. */
        public static Diff between(Map<String, String> before, Map<String, String> after, String self) {
            Objects.requireNonNull(self, "self");
            List<String> add = new ArrayList<>();
            for (Map.Entry<String, String> e : after.entrySet()) {
                if (self.equals(e.getValue()) && !self.equals(before.get(e.getKey()))) {
                    add.add(e.getKey());
                }
            }
            List<String> remove = new ArrayList<>();
            for (Map.Entry<String, String> e : before.entrySet()) {
                if (self.equals(e.getValue()) && !self.equals(after.get(e.getKey()))) {
                    remove.add(e.getKey());
                }
            }
            Collections.sort(add);
            Collections.sort(remove);
            return new Diff(add, remove);
        }

        public boolean isEmpty() {
            return add.isEmpty() && remove.isEmpty();
        }
    }
}
