package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AlgorithmsTest {
    @Test
    void everyAlgorithmIsRegisteredUnderItsOwnName() {
        assertThat(Algorithms.names()).containsExactly(
                "round-robin", "least-conn", "least-traffic", "random", "p2c", "fastest", "source-hash", "uri-hash", "lard", "lard-r",
                "least-load", "chain");
        for (String name : Algorithms.names()) {
            assertThat(Algorithms.exists(name)).isTrue();
            assertThat(Algorithms.byName(name).name()).isEqualTo(name);
        }
    }

    @Test
    void anUnknownNameListsTheAllowedOnes() {
        assertThat(Algorithms.exists("leastconn")).isFalse();
        assertThatThrownBy(() -> Algorithms.byName("leastconn"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown algorithm 'leastconn'")
                .hasMessageContaining("least-conn")
                .hasMessageContaining("round-robin");
    }

    @Test
    void theLoadFactorOnlyConcernsTheHashingAlgorithms() {
        assertThat(Algorithms.byName("round-robin", 2.0)).isSameAs(Algorithms.byName("round-robin"));
        assertThat(Algorithms.byName("uri-hash", 2.0)).isNotSameAs(Algorithms.byName("uri-hash"));
    }
}
