package io.switchboard.registry;

import java.util.Locale;

/**
 * Where a change came from. Travels with every change and every {@link RegistryEvent}, so that a
 * subscriber can tell its own changes from others': cluster replication ignores {@link #PEER}
 * events, which it applied itself, and so never echoes a replicated change back.
 */
public enum Origin {
    /** The config file: start-up and reloads. */
    FILE,
    /** An operator through the admin API (or a tool calling the pool directly). */
    API,
    /** An active health probe. */
    PROBE,
    /** The data plane's passive checks (consecutive failures). */
    PASSIVE,
    /** A back end's own agent reporting its weight or state (HAProxy's agent-check). */
    AGENT,
    /** Another Switchboard of the cluster, replicated here. */
    PEER,
    /**
     * Time passing: slow-start ramps and ejection expiry advance on the registry's tick. Not one of
     * the sources a peer would replicate: every node ticks on its own.
     */
    CLOCK;

    /** Lower case, as logs and the admin API write it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
