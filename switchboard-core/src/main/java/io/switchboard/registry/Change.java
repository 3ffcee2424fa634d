package io.switchboard.registry;

import io.switchboard.balance.Algorithm;
import io.switchboard.config.AdminState;
import io.switchboard.config.ServerConfig;
import io.switchboard.load.LoadReport;
import java.util.List;
import java.util.Objects;

/**
 * Every state change of a pool is one of these values, applied by the pool's single writer
 * ({@link Pool#applyAll}). Probes, the data plane's passive checks, the admin API, config reloads and
 * the cluster all speak this one language; where a change came from travels beside it as an
 * {@link Origin}.
 */
public sealed interface Change {
    /** Adds a back end (error if the name exists). */
    record Add(ServerConfig server) implements Change {}

    /** Removes a back end at once; requests already dispatched to it finish. */
    record Remove(String name) implements Change {}

    record SetWeight(String name, int weight) implements Change {}

    /** An operator's state: ready, drain or maint. */
    record SetAdmin(String name, AdminState state, String cause) implements Change {}

    /** One active probe result. */
    record Probe(String name, boolean ok, String detail) implements Change {}

    /** The data plane saw {@code consecutive} failures in a row; the outlier policy decides whether to eject. */
    record PassiveFailure(String name, int consecutive, String detail) implements Change {}

    /**
     * A back end's agent reported (pushed over UDP or answered an agent-check): the report is stored
     * on the back end for the load-reading pickers; a state or weight it asks for is applied.
     */
    record Agent(String name, LoadReport report) implements Change {
        public Agent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(report, "report");
        }
    }

    /** Time passed: slow-start ramps and ejection expiry are re-evaluated. */
    record Tick() implements Change {}

    /**
     * A reload changed the pool's algorithm or writer settings. The members and their counters stay;
     * a new algorithm builds a fresh picker (cursors do not carry over between algorithms).
     */
    record Configure(Algorithm algorithm, Pool.Settings settings) implements Change {
        public Configure {
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(settings, "settings");
        }
    }

    /** A config reload: add what is new, remove what is gone, update weights; names identify back ends. */
    record Reconcile(List<ServerConfig> servers) implements Change {}
}
