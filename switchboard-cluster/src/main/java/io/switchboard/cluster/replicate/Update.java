package io.switchboard.cluster.replicate;

import io.switchboard.config.AdminState;
import io.switchboard.load.LoadReport;
import java.util.Objects;

/**
 * One piece of shared state as it travels between the members of a cluster: a stick-table entry, an
 * operator's change, an agent's report or a probe result. Immutable; {@link ReplicationCodec} writes
 * and reads them.
 */
public sealed interface Update {
    /** The pool the update is about. */
    String pool();

    /** In the pool's stick table, {@code key} (as stored) sticks to {@code server}. */
    record Stick(String pool, String key, String server) implements Update {
        public Stick {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(server, "server");
        }
    }

    /** The key was removed from the pool's stick table. */
    record Forget(String pool, String key) implements Update {
        public Forget {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(key, "key");
        }
    }

    /** An operator set the server's state (ready, drain, maint). */
    record Admin(String pool, String server, AdminState state, String cause) implements Update {
        public Admin {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** An operator set the server's weight. */
    record Weight(String pool, String server, int weight) implements Update {
        public Weight {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(server, "server");
        }
    }

    /**
     * The server's agent reported. Clocks differ between members, so the report travels with its age
     * on the sender ({@code ageNanos}), and its {@code receivedNanos} is meaningless in transit (0
     * after decoding): the receiver dates it from its own clock.
     */
    record Load(String pool, String server, long ageNanos, LoadReport report) implements Update {
        public Load {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(report, "report");
        }
    }

    /** One active probe result of the sender. */
    record Probe(String pool, String server, boolean ok, String detail) implements Update {
        public Probe {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
