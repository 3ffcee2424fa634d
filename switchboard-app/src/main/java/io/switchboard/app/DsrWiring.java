package io.switchboard.app;

import io.switchboard.app.dsr.DsrService;
import io.switchboard.app.dsr.Neighbours;
import io.switchboard.app.dsr.Nft;
import io.switchboard.config.DsrConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.registry.PoolRegistry;

/**
 * The dispatcher's direct-server-return table ({@code dsr:}), kept in step with the config: the
 * {@link DsrService} (its own thread, and the kernel's nft) is made only when a config first has
 * the section; after that a reload rewrites the table, or deletes it when the section is gone. Its
 * errors are logged and in its status, never fatal.
 *
 * <p>Threading: {@link #start}, {@link #reload} and {@link #close} are called under the dispatcher's
 * lock; {@link #status} from anywhere.
 */
final class DsrWiring implements AutoCloseable {
    private final PoolRegistry registry;
    /** Null until a config has the section. Volatile: read without the lock. */
    private volatile DsrService dsr;

    DsrWiring(PoolRegistry registry) {
        this.registry = registry;
    }

    /** Writes the first table, if the config has one, before returning. */
    void start(SwitchboardConfig config) {
        follow(config.dsr());
    }

    /** Writes, rewrites or deletes the table as {@code next} says. */
    void reload(SwitchboardConfig next) {
        follow(next.dsr());
    }

    private void follow(DsrConfig want) {
        DsrService d = dsr;
        if (want == null && d == null) return;
        if (d == null) {
            d = new DsrService(registry, Nft.system(), Neighbours.system());
            dsr = d;
            d.start(want);
        } else {
            d.reload(want);
        }
    }

    /** The table in force, its last error and the kernel's packet counters (asked of nft now); null without a {@code dsr} section. */
    DsrStatus status() {
        DsrService d = dsr;
        return d == null ? null : d.statusWithCounters();
    }

    @Override
    public void close() {
        DsrService d = dsr;
        if (d != null) d.close();
    }
}
