package io.switchboard.proxy.guard;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections of one listener, in total and per client. The per-client map holds only clients
 * with a connection open, so it is bounded by the open connections themselves.
 *
 * <p>Threading: any event loop; the total is atomic and each client's count is updated atomically
 * through {@link ConcurrentHashMap#compute}.
 */
final class ConnectionCounts {
    private final int max;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<ClientKey, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionCounts(int max, int maxPerClient) {
        this.max = max;
        this.maxPerClient = maxPerClient;
    }

    /** Counts a new connection; null when admitted, otherwise why not (and nothing is counted). */
    String tryAcquire(ClientKey key) {
        int n = total.incrementAndGet();
        if (max > 0 && n > max) {
            total.decrementAndGet();
            return (n - 1) + " connections open on the listener (max-connections: " + max + ")";
        }
        if (maxPerClient > 0 && key != ClientKey.UNKNOWN) {
            int[] before = new int[1];
            perClient.compute(key, (k, c) -> {
                int count = c == null ? 0 : c;
                before[0] = count;
                return count >= maxPerClient ? c : Integer.valueOf(count + 1);
            });
            if (before[0] >= maxPerClient) {
                total.decrementAndGet();
                return before[0] + " connections open from this client (max-connections-per-ip: " + maxPerClient + ")";
            }
        }
        return null;
    }

    /** The config key of the limit a refusal of {@link #tryAcquire} names: the text in its last "(key: n)". */
    static String limitOf(String refusal) {
        int open = refusal.lastIndexOf('(');
        int colon = refusal.indexOf(':', open + 1);
        return open < 0 || colon < 0 ? "" : refusal.substring(open + 1, colon);
    }

    /** Uncounts a connection that {@link #tryAcquire} admitted. */
    void release(ClientKey key) {
        total.decrementAndGet();
        if (maxPerClient > 0 && key != ClientKey.UNKNOWN) {
            perClient.computeIfPresent(key, (k, c) -> c <= 1 ? null : c - 1);
        }
    }

    int open() {
        return total.get();
    }

    /** Clients with a connection open (the size of the per-client map). */
    int clients() {
        return perClient.size();
    }
}
