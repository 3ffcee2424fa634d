package io.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSetTest {
    final Backend a = new Backend("web", "a", "10.0.0.1", 80);
    final Backend b = new Backend("web", "b", "10.0.0.2", 80);
    final Backend c = new Backend("web", "c", "10.0.0.3", 80);
    final Backend d = new Backend("web", "d", "10.0.0.4", 80);

    static Member member(Backend backend, BackendState state, int weight, int effective) {
        AdminState admin = state == BackendState.DRAIN ? AdminState.DRAIN : state == BackendState.MAINT ? AdminState.MAINT : AdminState.READY;
        return new Member(backend, state, admin, weight, effective, "test");
    }

    @Test
    void onlyUpMembersWithAPositiveEffectiveWeightAreEligible() {
        BackendSet set = new BackendSet(7, List.of(
                member(a, BackendState.UP, 3, 3), member(b, BackendState.DOWN, 1, 1),
                member(c, BackendState.UP, 5, 2), member(d, BackendState.UP, 0, 0)), AllDownPolicy.FAIL);
        assertThat(set.version()).isEqualTo(7);
        assertThat(set.eligibleList()).containsExactly(a, c);
        assertThat(set.weights()).as("effective weights, slow start included").containsExactly(3, 2);
        assertThat(set.totalWeight()).isEqualTo(5);
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.panic()).isFalse();
        assertThat(set.members()).hasSize(4);
        assertThat(set.member("b").state()).isEqualTo(BackendState.DOWN);
        assertThat(set.member("zz")).isNull();
    }

    @Test
    void panicTakesTheDownMembersAtTheirConfiguredWeight() {
        BackendSet set = new BackendSet(1, List.of(
                member(a, BackendState.DOWN, 4, 1), member(b, BackendState.DRAIN, 1, 1),
                member(c, BackendState.MAINT, 1, 1), member(d, BackendState.DOWN, 0, 0)), AllDownPolicy.IGNORE_HEALTH);
        assertThat(set.panic()).isTrue();
        assertThat(set.eligibleList()).containsExactly(a);
        assertThat(set.weights()).containsExactly(4);
        assertThat(set).hasToString("BackendSet{v1, eligible=1/4, PANIC}");
    }

    @Test
    void noPanicWhileOneMemberIsUp() {
        BackendSet set = new BackendSet(1, List.of(member(a, BackendState.DOWN, 1, 1), member(b, BackendState.UP, 1, 1)),
                AllDownPolicy.IGNORE_HEALTH);
        assertThat(set.panic()).isFalse();
        assertThat(set.eligibleList()).containsExactly(b);
    }

    @Test
    void allDownUnderFailLeavesNothingEligible() {
        BackendSet set = new BackendSet(1, List.of(member(a, BackendState.DOWN, 1, 1)), AllDownPolicy.FAIL);
        assertThat(set.size()).isZero();
        assertThat(set.panic()).isFalse();
    }

    @Test
    void theEmptySetIsEmpty() {
        assertThat(BackendSet.empty().size()).isZero();
        assertThat(BackendSet.empty().members()).isEmpty();
        assertThat(BackendSet.empty().version()).isZero();
    }

    @Test
    void policiesParseFromConfigSpelling() {
        assertThat(AllDownPolicy.parse("ignore-health")).isEqualTo(AllDownPolicy.IGNORE_HEALTH);
        assertThatThrownBy(() -> AllDownPolicy.parse("panic"))
                .hasMessageContaining("allowed: fail, ignore-health");
    }
}
