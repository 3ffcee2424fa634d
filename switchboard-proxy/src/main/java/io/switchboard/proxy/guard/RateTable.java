package io.switchboard.proxy.guard;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per client (refilled at {@code rate} per second up to {@code burst}), in a table of
 * bounded size so that an attacker with many addresses cannot exhaust memory.
 *
 * <p>Bounded and expiring: the table is split into stripes, each a map in access order with a
 * fixed capacity. Inserting a client first drops up to two of the least recently seen clients whose
 * buckets have had time to refill completely (a full bucket is what a client without an entry gets
 * anyway), then the least recently seen one if the stripe is still full. So idle clients leave the
 * table as new ones come, and under a flood of new addresses the table stays at its capacity (the
 * clients dropped then are those seen least recently, whose buckets would mostly have refilled).
 *
 * <p>Time comes in ({@code nowNanos}); the table never reads a clock. Threading: any event loop;
 * each stripe is guarded by its own lock, held for one map lookup and a little arithmetic.
 */
final class RateTable {
    static final int DEFAULT_CAPACITY = 65_536;
    private static final int STRIPES = 16;

    private final double tokensPerNano;
    private final double burst;
    private final long refillNanos;
    private final Stripe[] stripes = new Stripe[STRIPES];

    RateTable(double requestsPerSecond, int burst, int capacity) {
        this.tokensPerNano = requestsPerSecond / 1e9;
        this.burst = burst;
        this.refillNanos = (long) Math.ceil(burst / tokensPerNano);
        int perStripe = Math.max(1, capacity / STRIPES);
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Stripe(perStripe);
    }

    /** Takes one token from the client's bucket; false when it is empty. */
    boolean tryAcquire(ClientKey key, long nowNanos) {
        int h = key.hashCode();
        Stripe s = stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
        synchronized (s) {
            Bucket b = s.get(key);
            if (b == null) {
                b = new Bucket(burst, nowNanos);
                s.expire(nowNanos);
                s.put(key, b);
            } else {
                b.refill(nowNanos, tokensPerNano, burst);
            }
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /** Clients in the table (sums the stripes; for tests and metrics). */
    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        void refill(long now, double perNano, double burst) {
            long elapsed = now - last;
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + elapsed * perNano);
                last = now;
            }
        }
    }

    private final class Stripe extends LinkedHashMap<ClientKey, Bucket> {
        private final int capacity;

        Stripe(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        /** Drops up to two least recently seen clients whose buckets are full again by now. */
        void expire(long now) {
            Iterator<Bucket> eldest = values().iterator();
            for (int i = 0; i < 2 && eldest.hasNext(); i++) {
                if (now - eldest.next().last < refillNanos) return;
                eldest.remove();
            }
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientKey, Bucket> eldest) {
            return size() > capacity;
        }
    }
}
