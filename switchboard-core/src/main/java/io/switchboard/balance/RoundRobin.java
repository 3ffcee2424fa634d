package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round robin (NGINX's algorithm; RFC 2391 "round robin" with weights): with weights
 * 5,1,1 the order is a a b a c a a, not a a a a a b c, so no back end gets a burst.
 *
 * <p>The sequential algorithm is run once per snapshot by the writer to build the whole schedule
 * (length = sum of weights after dividing by their gcd, capped at {@link #MAX_SCHEDULE} by scaling);
 * it costs members x length, so a large pool's schedule is built by due times instead
 * ({@link #bySlots}: as smooth, O(length log n)). A pick is then one atomic increment and an array read: lock-free, O(1), no allocation. The cursor
 * carries over from the previous picker so a change does not restart the cycle at the first server.
 */
public final class RoundRobin implements Algorithm {
    static final int MAX_SCHEDULE = 1 << 16;
    /** Up to this many steps (members x schedule length) the exact algorithm builds the schedule; beyond, {@link #bySlots}. */
    static final long EXACT_WORK = 1L << 22;

    @Override
    public String name() {
        return "round-robin";
    }

    @Override
    public Picker newPicker(BackendSet backends, Picker previous) {
        if (backends.size() == 0) return Picker.NONE;
        AtomicLong cursor = previous instanceof RoundRobinPicker p ? p.cursor : new AtomicLong();
        return new RoundRobinPicker(backends.eligible(), schedule(backends.weights()), cursor);
    }

    /** The smooth WRR schedule as indices into the eligible array. */
    static int[] schedule(int[] weightsIn) {
        int n = weightsIn.length;
        int[] w = weightsIn.clone();
        int g = 0;
        for (int x : w) g = gcd(g, x);
        long total = 0;
        for (int i = 0; i < n; i++) {
            w[i] /= Math.max(g, 1);
            total += w[i];
        }
        if (total > MAX_SCHEDULE) {
            // Scale down preserving proportions; every member keeps at least one slot.
            double f = (double) MAX_SCHEDULE / total;
            total = 0;
            for (int i = 0; i < n; i++) {
                w[i] = Math.max(1, (int) Math.round(w[i] * f));
                total += w[i];
            }
        }
        if ((long) n * total > EXACT_WORK) return bySlots(w, (int) total);
        int[] out = new int[(int) total];
        long[] current = new long[n];
        for (int k = 0; k < out.length; k++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                current[i] += w[i];
                if (best < 0 || current[i] > current[best]) best = i;
            }
            current[best] -= total;
            out[k] = best;
        }
        return out;
    }

    /**
     * The schedule of a large pool, in O(total log n) instead of the exact algorithm's O(total n)
     * (10,000 back ends of weights 1-4 took seconds): member i's j-th slot (j = 1..w_i) is due at
     * {@code (j - 1/2) * total / w_i}, and the slots are served in order of due time, ties to the
     * lower index, through a binary heap of the members' next slots. Each member gets exactly w_i
     * slots, evenly spaced (total / w_i apart), so it is as smooth as the exact one: no member gets
     * a burst; only the order within a stretch of the cycle may differ from it.
     */
    static int[] bySlots(int[] w, int total) {
        int n = w.length;
        int[] out = new int[total];
        int[] next = new int[n]; // slots of member i served so far
        int[] heap = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0) heap[size++] = i;
        }
        for (int k = size / 2 - 1; k >= 0; k--) siftDown(heap, size, k, w, next);
        for (int k = 0; k < total && size > 0; k++) {
            int i = heap[0];
            out[k] = i;
            if (++next[i] == w[i]) heap[0] = heap[--size];
            siftDown(heap, size, 0, w, next);
        }
        return out;
    }

    /** Whether member a's next slot is due before member b's: (2 next_a + 1) / w_a < (2 next_b + 1) / w_b, ties to the lower index. */
    private static boolean dueBefore(int a, int b, int[] w, int[] next) {
        long x = (2L * next[a] + 1) * w[b], y = (2L * next[b] + 1) * w[a];
        return x < y || (x == y && a < b);
    }

    private static void siftDown(int[] heap, int size, int k, int[] w, int[] next) {
        int v = heap[k];
        while (true) {
            int c = 2 * k + 1;
            if (c >= size) break;
            if (c + 1 < size && dueBefore(heap[c + 1], heap[c], w, next)) c++;
            if (!dueBefore(heap[c], v, w, next)) break;
            heap[k] = heap[c];
            k = c;
        }
        heap[k] = v;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    static final class RoundRobinPicker implements Picker {
        private final Backend[] backends;
        private final int[] schedule;
        final AtomicLong cursor;

        RoundRobinPicker(Backend[] backends, int[] schedule, AtomicLong cursor) {
            this.backends = backends;
            this.schedule = schedule;
            this.cursor = cursor;
        }

        @Override
        public Backend pick(PickContext ctx) {
            int len = schedule.length;
            int slot = (int) Long.remainderUnsigned(cursor.getAndIncrement(), len);
            Backend b = backends[schedule[slot]];
            if (!ctx.excluded(b)) return b;
            // A redispatch. Follow the schedule without consuming other requests' slots, then scan:
            // the exclusion set may hold back ends of an older snapshot, so its size says nothing
            // about how many of ours are excluded. Bounded by 2n steps.
            int n = backends.length;
            for (int k = 1; k <= n && k < len; k++) {
                int s = slot + k;
                if (s >= len) s -= len;
                b = backends[schedule[s]];
                if (!ctx.excluded(b)) return b;
            }
            int from = schedule[slot];
            for (int k = 1; k < n; k++) {
                int i = from + k;
                if (i >= n) i -= n;
                if (!ctx.excluded(backends[i])) return backends[i];
            }
            return null;
        }
    }
}
