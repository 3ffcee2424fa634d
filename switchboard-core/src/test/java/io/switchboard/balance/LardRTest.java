package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LardRTest extends AlgorithmContractTest {
    static final long KEY = 0x5eed_1234_abcdL;
    static final long SECOND = 1_000_000_000L;

    @Override
    Algorithm algorithm() {
        return Algorithms.byName("lard-r");
    }

    /** T_low 2, T_high 4, K 20 s: small enough to set loads by hand. */
    final LardR small = new LardR(2, 4, Duration.ofSeconds(20));

    PickContext at(long now) {
        return new PickContext(KEY, now, random, Set.of());
    }

    static void load(Backend b, int inFlight) {
        LardTest.load(b, inFlight);
    }

    @Test
    void thePapersParametersAreTheDefaults() {
        LardR r = (LardR) algorithm();
        assertThat(r.low()).isEqualTo(25);
        assertThat(r.high()).isEqualTo(65);
        assertThat(r.shrinkAfter()).isEqualTo(Duration.ofSeconds(20));
        assertThat(r.affinityKey()).isEqualTo(AffinityKey.PATH);
    }

    @Test
    void theSetGrowsUnderLoadOneServerAtATime() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        List<Backend> picked = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Backend got = picker.pick(at(NOW));
            got.onDispatch(); // held open: the load builds up
            picked.add(got);
        }
        Backend first = picked.get(0);
        // Up to T_high = 4 in flight the first server keeps the target; the 6th request finds it over
        // T_high with others idle, and the set grows.
        assertThat(picked.subList(0, 5)).containsOnly(first);
        assertThat(picked.get(5)).isNotSameAs(first);
        assertThat(new HashSet<>(picked)).containsExactlyInAnyOrder(a, b, c);
        for (Backend x : List.of(a, b, c)) load(x, 0);
    }

    @Test
    void theSetDoesNotGrowWhileItsLeastLoadedMemberIsNotOverloaded() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = picker.pick(at(NOW));
        for (Backend x : List.of(a, b, c)) load(x, 3); // nobody below T_low
        load(owner, 7);
        for (int i = 0; i < 10; i++) assertThat(picker.pick(at(NOW))).isSameAs(owner);
        load(owner, 8); // 2 * T_high: grows even though nobody is idle
        assertThat(picker.pick(at(NOW))).isNotSameAs(owner);
        for (Backend x : List.of(a, b, c)) load(x, 0);
    }

    @Test
    void theSetShrinksAfterKWithoutChangeButNeverBelowOne() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend x1 = picker.pick(at(NOW));
        load(x1, 5);
        Backend x2 = picker.pick(at(NOW)); // grows: {x1, x2}, changed at NOW
        assertThat(x2).isNotSameAs(x1);

        // Before K: x1, idle again, is still a member, and so is x2.
        load(x1, 0);
        load(x2, 3);
        assertThat(picker.pick(at(NOW + 10 * SECOND))).isSameAs(x1);
        load(x1, 3);
        load(x2, 0);
        assertThat(picker.pick(at(NOW + 20 * SECOND))).isSameAs(x2);
        load(x1, 0);
        load(x2, 3);
        assertThat(picker.pick(at(NOW + 20 * SECOND))).as("exactly K is not yet more than K: x1 is still a member").isSameAs(x1);

        // After K unchanged: the most loaded member other than the chosen one (x1), x2, leaves.
        assertThat(picker.pick(at(NOW + 21 * SECOND))).isSameAs(x1);
        load(x1, 3);
        load(x2, 0);
        assertThat(picker.pick(at(NOW + 22 * SECOND))).as("x2 left the set").isSameAs(x1);
        assertThat(picker.pick(at(NOW + 100 * SECOND))).as("a set of one stays").isSameAs(x1);
        for (Backend x : List.of(a, b, c)) load(x, 0);
    }

    @Test
    void aSetThatKeepsGrowingDoesNotShrink() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend x1 = picker.pick(at(NOW));
        load(x1, 5);
        Backend x2 = picker.pick(at(NOW + 15 * SECOND)); // grows at 15 s
        load(x2, 5);
        Backend x3 = picker.pick(at(NOW + 30 * SECOND)); // grows at 30 s: 15 s since the last change
        assertThat(Set.of(x1, x2, x3)).hasSize(3);
        load(x3, 5);
        // 2 * T_high nowhere, nobody below T_low: the set {x1, x2, x3} serves as it is.
        load(x1, 1);
        assertThat(picker.pick(at(NOW + 40 * SECOND))).as("x1 is still a member").isSameAs(x1);
        for (Backend x : List.of(a, b, c)) load(x, 0);
    }

    @Test
    void membersExcludedForARequestServeElsewhereWithoutChangingTheSet() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = picker.pick(at(NOW));
        Backend elsewhere = picker.pick(new PickContext(KEY, NOW, random, Set.of(owner)));
        assertThat(elsewhere).isNotNull().isNotSameAs(owner);
        load(owner, 1);
        assertThat(picker.pick(at(NOW))).as("the set is still {owner}").isSameAs(owner);
        load(owner, 0);
    }

    @Test
    void aMemberThatLeavesThePoolLeavesTheSet() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker before = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = before.pick(at(NOW));
        List<Backend> rest = new ArrayList<>(List.of(a, b, c));
        rest.remove(owner);
        Picker after = small.newPicker(BackendSet.of(2, rest), before);
        Backend moved = after.pick(at(NOW));
        assertThat(moved).isIn(rest);
        load(moved, 1);
        assertThat(after.pick(at(NOW))).as("the new set is {moved}").isSameAs(moved);
        load(moved, 0);
    }

    @Test
    void parametersAreChecked() {
        assertThatThrownBy(() -> new LardR(30, 20, Duration.ofSeconds(20))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lard-r").hasMessageContaining("1 <= low < high");
        assertThatThrownBy(() -> new LardR(25, 65, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }
}
