package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourceHashTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("source-hash");
    }

    PickContext forClient(String address) {
        return new PickContext(KeyHash.of(address), NOW, random, Set.of());
    }

    @Test
    void aClientStaysOnItsBackend() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        for (int client = 0; client < 200; client++) {
            String address = "192.0.2." + client;
            Backend first = picker.pick(forClient(address));
            for (int i = 0; i < 5; i++) assertThat(picker.pick(forClient(address))).isSameAs(first);
        }
    }

    @Test
    void affinityOutlivesAnUnrelatedMembershipChange() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker before = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        // A new snapshot with the same members in another order: ring positions come from the back
        // ends' identities, not from their indices.
        Picker after = algorithm().newPicker(BackendSet.of(2, List.of(c, a, b)), before);
        for (int client = 0; client < 500; client++) {
            String address = "198.51.100." + client;
            assertThat(after.pick(forClient(address))).isSameAs(before.pick(forClient(address)));
        }
    }

    @Test
    void aBackendAtCapacitySpillsToTheNextOnTheRing() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        PickContext key = forClient("203.0.113.7");
        Backend owner = picker.pick(key);
        // Capacity with c = 1.25 and m requests in flight: ceil(1.25 * (m + 1) / 3).
        // With 2 in flight, all on the owner: ceil(1.25 * 3 / 3) = 2, so the owner is full.
        owner.onDispatch();
        owner.onDispatch();
        Backend spilled = picker.pick(key);
        assertThat(spilled).isNotSameAs(owner);
        owner.onComplete(true, LATENCY, NOW);
        owner.onComplete(true, LATENCY, NOW);
        assertThat(picker.pick(key)).as("back once it has room").isSameAs(owner);
    }

    @Test
    void loadFactorFromConfigMakesANewInstance() {
        Algorithm strict = Algorithms.byName("source-hash", 1.0);
        assertThat(strict).isNotSameAs(algorithm());
        assertThat(((ConsistentHash) strict).loadFactor()).isEqualTo(1.0);
        assertThat(strict.name()).isEqualTo("source-hash");
        assertThat(Algorithms.byName("source-hash", ConsistentHash.DEFAULT_LOAD_FACTOR)).isSameAs(algorithm());
    }
}
