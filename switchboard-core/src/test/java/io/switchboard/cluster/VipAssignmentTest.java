package io.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VipAssignmentTest {
    static final Duration MATURITY = Duration.ofSeconds(10);
    static final long NOW = 100_000;
    static final long OLD = 0;
    static final List<String> VIPS = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");

    static ClusterMember old(String id, String... preferred) {
        return new ClusterMember(id, OLD, List.of(preferred));
    }

    static ClusterMember young(String id) {
        return new ClusterMember(id, NOW - 1, List.of());
    }

    static Map<String, String> assign(List<ClusterMember> view, Map<String, String> previous) {
        return VipAssignment.assign(view, VIPS, previous, NOW, MATURITY);
    }

    static Map<String, Long> counts(Map<String, String> assignment) {
        Map<String, Long> counts = new HashMap<>();
        assignment.values().forEach(m -> counts.merge(m, 1L, Long::sum));
        return counts;
    }

    @Test
    void everyAddressHeldByOneMemberOfTheViewInConfiguredOrder() {
        Map<String, String> a = assign(List.of(old("a"), old("b")), Map.of());
        assertThat(a.keySet()).containsExactlyElementsOf(VIPS);
        assertThat(a.values()).allMatch(m -> m.equals("a") || m.equals("b"));
    }

    @Test
    void countsDifferByAtMostOne() {
        Map<String, String> a = assign(List.of(old("a"), old("b"), old("c")), Map.of());
        assertThat(counts(a)).containsOnlyKeys("a", "b", "c");
        Collection<Long> c = counts(a).values();
        assertThat(c.stream().mapToLong(Long::longValue).max().orElseThrow()
                - c.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThanOrEqualTo(1);
    }

    @Test
    void youngMemberHoldsNothingWhileAMatureOneExists() {
        Map<String, String> a = assign(List.of(young("y"), old("a")), Map.of());
        assertThat(a.values()).containsOnly("a");
    }

    @Test
    void youngMemberTakesItsShareOnceMature() {
        List<ClusterMember> view = List.of(old("a"), new ClusterMember("b", NOW - 5_000));
        Map<String, String> before = assign(view, Map.of());
        assertThat(before.values()).containsOnly("a");
        Map<String, String> after = VipAssignment.assign(view, VIPS, before, NOW + 5_000, MATURITY);
        assertThat(counts(after)).containsEntry("a", 3L).containsEntry("b", 2L);
    }

    @Test
    void withNoMatureMemberTheEarliestJoinedHoldEverything() {
        List<ClusterMember> view = List.of(young("late"), new ClusterMember("first", NOW - 3),
                new ClusterMember("first2", NOW - 3));
        Map<String, String> a = assign(view, Map.of());
        assertThat(counts(a)).containsOnlyKeys("first", "first2").containsEntry("first", 3L);
    }

    @Test
    void preferenceHonouredAndTakenBackFromCurrentHolder() {
        Map<String, String> previous = new HashMap<>();
        VIPS.forEach(v -> previous.put(v, "a"));
        Map<String, String> a = assign(List.of(old("a"), old("b", "10.0.0.1")), previous);
        assertThat(a).containsEntry("10.0.0.1", "b");
    }

    @Test
    void preferenceYieldsToBalance() {
        Map<String, String> a = assign(List.of(old("a"), old("b", VIPS.toArray(String[]::new))), Map.of());
        assertThat(counts(a)).containsEntry("a", 2L).containsEntry("b", 3L);
    }

    @Test
    void contestedPreferenceGoesToTheEarlierMemberInTheView() {
        Map<String, String> a = assign(List.of(old("a", "10.0.0.3"), old("b", "10.0.0.3")), Map.of());
        assertThat(a).containsEntry("10.0.0.3", "a");
    }

    @Test
    void leavingMemberMovesOnlyItsOwnAddresses() {
        List<ClusterMember> three = List.of(old("a"), old("b"), old("c"));
        Map<String, String> before = assign(three, Map.of());
        Map<String, String> after = assign(List.of(old("a"), old("c")), before);
        before.forEach((vip, holder) -> {
            if (!holder.equals("b")) {
                assertThat(after).containsEntry(vip, holder);
            }
        });
        assertThat(after.values()).doesNotContain("b");
    }

    @Test
    void previousHolderKeepsItsAddressesWhenBalanceAllows() {
        Map<String, String> previous = Map.of("10.0.0.1", "b", "10.0.0.2", "b", "10.0.0.3", "a",
                "10.0.0.4", "a", "10.0.0.5", "b");
        assertThat(assign(List.of(old("a"), old("b")), previous)).isEqualTo(previous);
    }

    @Test
    void emptyViewHoldsNothingAndEmptyVipListIsEmpty() {
        assertThat(assign(List.of(), Map.of())).isEmpty();
        assertThat(VipAssignment.assign(List.of(old("a")), List.of(), Map.of(), NOW, MATURITY)).isEmpty();
    }

    @Test
    void rejectsDuplicateMembersAndAddresses() {
        assertThatThrownBy(() -> assign(List.of(old("a"), old("a")), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member 'a' twice");
        assertThatThrownBy(() -> VipAssignment.assign(List.of(old("a")), List.of("x", "x"), Map.of(), NOW, MATURITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x' is listed twice");
    }

    @Test
    void diffTellsOneMemberWhatToAddAndRemove() {
        Map<String, String> before = Map.of("v1", "a", "v2", "b", "v3", "a");
        Map<String, String> after = Map.of("v1", "b", "v2", "b", "v3", "a", "v4", "a");
        assertThat(VipAssignment.Diff.between(before, after, "a"))
                .isEqualTo(new VipAssignment.Diff(List.of("v4"), List.of("v1")));
        assertThat(VipAssignment.Diff.between(before, after, "b"))
                .isEqualTo(new VipAssignment.Diff(List.of("v1"), List.of()));
        assertThat(VipAssignment.Diff.between(after, after, "a").isEmpty()).isTrue();
    }
}
