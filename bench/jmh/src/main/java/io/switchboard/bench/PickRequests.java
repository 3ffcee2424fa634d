package io.switchboard.bench;

import io.switchboard.balance.PickContext;
import java.util.Set;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The requests a picking thread presents, one {@link PickContext} each, built in setup and cycled so
 * that the benchmark itself allocates nothing: distinct affinity keys for the hashing algorithms, one
 * per-thread generator for the others.
 */
@State(Scope.Thread)
public class PickRequests {
    static final int CONTEXTS = 1024; // a power of two

    final SplittableRandom random = new SplittableRandom(7);
    final PickContext[] contexts = new PickContext[CONTEXTS];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < CONTEXTS; i++) contexts[i] = new PickContext(random.nextLong(), BenchPool.NOW, random, Set.of());
    }

    PickContext nextContext() {
        return contexts[next++ & (CONTEXTS - 1)];
    }
}
