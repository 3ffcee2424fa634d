package io.switchboard.dns;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The zones and the pools' current servers, compiled into a {@link ZoneSnapshot} that responders
 * read without locking. The server part calls {@link #updatePool} from the registry's listener
 * (health, weight, membership); a change that alters what a pool answers recompiles every zone and
 * moves the SOA serial of the zones that use the pool to max(serial + 1, now in epoch seconds), so
 * secondaries and monitors see it (RFC 1982 arithmetic wraps at 2^32).
 * Thread-safety: writers are serialized by this object's monitor; readers see complete snapshots
 * through one volatile field.
 */
public final class Authority {
    private final List<ZoneSpec> zones;
    private final LongSupplier epochSeconds;
    private final Map<String, List<DnsServer>> pools = new HashMap<>();
    private final long[] serials;
    /** Rotation counters by name and type, kept across compiles so a rebuild does not restart the rotation. */
    private final Map<String, AtomicInteger> counters = new HashMap<>();
    private volatile ZoneSnapshot snapshot;

    public Authority(List<ZoneSpec> zones, LongSupplier epochSeconds) {
        this.zones = List.copyOf(zones);
        this.epochSeconds = epochSeconds;
        this.serials = new long[this.zones.size()];
        long now = epochSeconds.getAsLong() & 0xFFFFFFFFL;
        Arrays.fill(serials, now);
        this.snapshot = ZoneSnapshot.compile(this.zones, pools, serials, counters);
    }

    public Authority(List<ZoneSpec> zones) {
        this(zones, () -> System.currentTimeMillis() / 1000);
    }

    public ZoneSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces what DNS knows about one pool's servers. Returns false (and publishes nothing) when
     * the list is equal to the current one or no zone uses the pool.
     */
    public synchronized boolean updatePool(String pool, List<DnsServer> servers) {
        List<DnsServer> copy = List.copyOf(servers);
        if (copy.equals(pools.get(pool))) {
            return false;
        }
        pools.put(pool, copy);
        boolean used = false;
        long now = epochSeconds.getAsLong() & 0xFFFFFFFFL;
        for (int i = 0; i < zones.size(); i++) {
            if (zones.get(i).uses(pool)) {
                used = true;
                serials[i] = Math.max((serials[i] + 1) & 0xFFFFFFFFL, now);
            }
        }
        if (used) {
            snapshot = ZoneSnapshot.compile(zones, pools, serials, counters);
        }
        return used;
    }
}
