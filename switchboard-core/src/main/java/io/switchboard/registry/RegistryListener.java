package io.switchboard.registry;

/**
 * A subscriber of the {@link PoolRegistry}: DNS answers, cluster replication, load reports, the
 * transition log. Told of every event in version order, on the writing thread, under the registry's
 * write lock: it must be quick, must not block, and must not write synchronously (use
 * {@link PoolRegistry#submit}). A subscriber that replicates changes to peers ignores
 * {@link Origin#PEER} events, so that a replicated change is never echoed back.
 */
@FunctionalInterface
public interface RegistryListener {
    void onEvent(RegistryEvent event);
}
