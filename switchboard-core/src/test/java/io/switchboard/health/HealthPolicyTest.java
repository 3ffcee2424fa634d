package io.switchboard.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HealthPolicyTest {
    final HealthPolicy policy = new HealthPolicy(2, 3);

    @Test
    void anUpBackendFallsAfterFallConsecutiveFailures() {
        HealthPolicy.Tracker t = new HealthPolicy.Tracker(true);
        assertThat(t.observe(policy, false)).isFalse();
        assertThat(t.observe(policy, false)).isFalse();
        assertThat(t.observe(policy, false)).as("third failure flips").isTrue();
        assertThat(t.up()).isFalse();
        assertThat(t.observe(policy, false)).as("already down: no flip").isFalse();
    }

    @Test
    void aDownBackendRisesAfterRiseConsecutivePasses() {
        HealthPolicy.Tracker t = new HealthPolicy.Tracker(false);
        assertThat(t.observe(policy, true)).isFalse();
        assertThat(t.observe(policy, false)).isFalse(); // resets the passes
        assertThat(t.observe(policy, true)).isFalse();
        assertThat(t.observe(policy, true)).isTrue();
        assertThat(t.up()).isTrue();
    }

    @Test
    void forceSetsTheStateAndClearsTheCounts() {
        HealthPolicy.Tracker t = new HealthPolicy.Tracker(true);
        t.observe(policy, false);
        t.observe(policy, false);
        t.force(true);
        assertThat(t.observe(policy, false)).as("counting starts over").isFalse();
    }

    @Test
    void aCopyIsIndependent() {
        HealthPolicy.Tracker t = new HealthPolicy.Tracker(true);
        t.observe(policy, false);
        t.observe(policy, false);
        HealthPolicy.Tracker copy = t.copy();
        assertThat(copy.observe(policy, false)).as("the copy carries the two failures").isTrue();
        assertThat(t.up()).isTrue();
        assertThat(t.observe(policy, true)).isFalse();
        assertThat(t.up()).isTrue();
    }

    @Test
    void riseAndFallMustBeAtLeastOne() {
        assertThatThrownBy(() -> new HealthPolicy(0, 3)).hasMessageContaining("rise and fall must be >= 1");
        assertThatThrownBy(() -> new HealthPolicy(2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
