package io.switchboard.dns;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The zones and the pools' current servers, compiled into a {@link ZoneSnapshot} that responders
 * read without locking. {@link RegistryFeed} calls {@link #updatePool} on every registry event
 * (health, weight, membership); a change that alters what a pool answers recompiles every zone and
 * moves the SOA serial of the zones that use the pool to max(serial + 1, now in epoch seconds), so
 * secondaries and monitors see it (RFC 1982 arithmetic wraps at 2^32). A config reload calls
 * {@link #reconfigure}. Compiling is linear in names times servers; it runs on the caller's thread.
 * Thread-safety: writers are serialized by this object's monitor; readers see complete snapshots
 * through one volatile field.
 */
public final class Authority {
    private final LongSupplier epochSeconds;
    private final Map<String, List<DnsServer>> pools = new HashMap<>();
    /** Rotation counters by name and type, kept across compiles so a rebuild does not restart the rotation. */
    private final Map<String, AtomicInteger> counters = new HashMap<>();
    private List<ZoneSpec> zones;
    private long[] serials;
    private volatile ZoneSnapshot snapshot;

    public Authority(List<ZoneSpec> zones, LongSupplier epochSeconds) {
        this.epochSeconds = epochSeconds;
        this.zones = List.of();
        this.serials = new long[0];
        reconfigure(zones);
    }

    public Authority(List<ZoneSpec> zones) {
        this(zones, () -> System.currentTimeMillis() / 1000);
    }

    public ZoneSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces the zones (a config reload), keeping what the pools' servers are and the rotation
     * of names that stay. A zone that existed before gets serial max(serial + 1, now), so its serial
     * never goes back; a new zone starts at now.
     *
     * @throws IllegalArgumentException when a zone is invalid (a name outside its zone, a bad label);
     *     the zones in force then stay
     */
    public synchronized void reconfigure(List<ZoneSpec> next) {
        List<ZoneSpec> copy = List.copyOf(next);
        long now = now();
        long[] nextSerials = new long[copy.size()];
        for (int i = 0; i < copy.size(); i++) {
            nextSerials[i] = now;
            for (int j = 0; j < zones.size(); j++) {
                if (sameOrigin(zones.get(j), copy.get(i))) {
                    nextSerials[i] = Math.max((serials[j] + 1) & 0xFFFFFFFFL, now);
                }
            }
        }
        ZoneSnapshot compiled = ZoneSnapshot.compile(copy, pools, nextSerials, counters);
        zones = copy;
        serials = nextSerials;
        snapshot = compiled;
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
        long now = now();
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

    private long now() {
        return epochSeconds.getAsLong() & 0xFFFFFFFFL;
    }

    private static boolean sameOrigin(ZoneSpec a, ZoneSpec b) {
        return WireName.absolute("@", a.origin()).equalsIgnoreCase(WireName.absolute("@", b.origin()));
    }
}
