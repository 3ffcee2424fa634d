package io.switchboard.sim;

import io.switchboard.backend.Backend;

/**
 * The engine's server number of each core {@link Backend}: open addressing on the identity hash,
 * linear probing, with no boxing (an {@code IdentityHashMap<Backend, Integer>} cost about 7 % of a
 * simulated request). Built once per run; the pool keeps its back-end objects across snapshots.
 *
 * <p>Threading: immutable after construction.
 */
final class BackendIndex {
    private final Backend[] keys;
    private final int[] values;
    private final int mask;

    BackendIndex(Backend[] backends) {
        int cap = Integer.highestOneBit(Math.max(4, backends.length * 4) - 1) << 1;
        keys = new Backend[cap];
        values = new int[cap];
        mask = cap - 1;
        for (int i = 0; i < backends.length; i++) {
            int h = slot(backends[i]);
            while (keys[h] != null) h = (h + 1) & mask;
            keys[h] = backends[i];
            values[h] = i;
        }
    }

    private int slot(Backend b) {
        return (System.identityHashCode(b) * 0x9E3779B9) >>> 7 & mask;
    }

    /** The server number of {@code b}; -1 for a back end this run did not create. */
    int of(Backend b) {
        int h = slot(b);
        Backend k;
        while ((k = keys[h]) != null) {
            if (k == b) return values[h];
            h = (h + 1) & mask;
        }
        return -1;
    }
}
