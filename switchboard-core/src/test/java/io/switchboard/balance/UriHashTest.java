package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UriHashTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("uri-hash");
    }

    @Test
    void theSamePathGoesToTheSameBackendWhicheverWayItWasHashed() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        for (int i = 0; i < 100; i++) {
            String path = "/static/img/" + i + ".png";
            Backend viaBytes = picker.pick(new PickContext(KeyHash.of(path), NOW, random, Set.of()));
            Backend viaChars = picker.pick(new PickContext(KeyHash.ofChars(new StringBuilder(path)), NOW, random, Set.of()));
            assertThat(viaChars).isSameAs(viaBytes);
        }
    }

    @Test
    void aLoadFactorBelowOneIsRejected() {
        assertThatThrownBy(() -> new ConsistentHash("uri-hash", 0.9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 1.0");
    }
}
