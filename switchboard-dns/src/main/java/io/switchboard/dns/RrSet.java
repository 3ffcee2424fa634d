package io.switchboard.dns;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One precomputed RRset in answer-section wire form: each variant is a complete run of records
 * whose owner is the pointer {@code 0xC00C} (the question name at offset 12), so an answer is one
 * array copy. Rotation: {@code schedule} lists, for successive queries, which variant goes out;
 * it is built with smooth weighted round robin, so a server of weight 2 leads twice as often as one
 * of weight 1, and the counter makes the order deterministic. The counter outlives the snapshot:
 * weights move on every slow-start tick, and a counter restarted on every rebuild would make the
 * first server lead almost every answer. Immutable except the counter; thread-safe.
 */
final class RrSet {
    final int type;
    final byte[][] variants;
    final int[] counts;
    final int[] schedule;
    /** Shared with the name's RRsets of earlier and later snapshots, so a rebuild does not restart the rotation. */
    private final AtomicInteger next;

    RrSet(int type, byte[][] variants, int[] counts, int[] schedule, AtomicInteger next) {
        this.type = type;
        this.variants = variants;
        this.counts = counts;
        this.schedule = schedule;
        this.next = next;
    }

    static RrSet single(int type, byte[] records, int count) {
        return new RrSet(type, new byte[][] {records}, new int[] {count}, new int[] {0}, null);
    }

    /** The variant for the next query. */
    int pick() {
        return schedule.length == 1 ? 0 : schedule[(next.getAndIncrement() & 0x7FFFFFFF) % schedule.length];
    }

    /** The variant for counter value {@code k}, for tests and benchmarks that want to see rotation. */
    int variantAt(long k) {
        return schedule[(int) Math.floorMod(k, (long) schedule.length)];
    }
}
