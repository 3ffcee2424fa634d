package io.switchboard.registry;

import java.util.List;

/**
 * Hears every batch of changes a registered pool applied, as it was applied: cluster replication
 * forwards the operator's, the agents' and the probes' changes to its peers. Unlike a
 * {@link RegistryListener}, it also hears batches that published nothing (a probe counted towards
 * rise/fall, load figures stored on the fast path).
 *
 * <p>Called on the writing thread, under the registry's write lock, after the batch succeeded (a
 * batch that threw is not tapped): it must be quick, must not block and must not write to the
 * registry. A tap that replicates ignores {@link Origin#PEER} batches, which it applied itself.
 */
@FunctionalInterface
public interface ChangeTap {
    void applied(String pool, Origin origin, List<? extends Change> changes);
}
