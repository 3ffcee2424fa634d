package io.switchboard.sim;

import java.util.Arrays;

/**
 * The simulator's pending events: a binary min-heap over two parallel primitive arrays, so that
 * scheduling and taking an event allocate nothing (the arrays only grow, by doubling).
 *
 * <p>An event is a time (simulated nanoseconds) and a 32-bit payload the engine decodes (kind and
 * subject). Events at the same time come out in the order they were scheduled: the second word of
 * an entry is {@code sequence << 32 | payload}, and the heap orders by (time, that word). So a run
 * depends only on what was scheduled, never on heap layout, and the sequence wrapping after 2^32
 * events can only reorder events of equal time that were scheduled 2^32 events apart.
 *
 * <p>Threading: confined to one engine's thread.
 */
public final class EventQueue {
    private long[] times;
    private long[] words;
    private int size;
    private long sequence;

    public EventQueue() {
        this(1024);
    }

    public EventQueue(int capacity) {
        times = new long[Math.max(capacity, 2)];
        words = new long[times.length];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Schedules {@code payload} at {@code time}. */
    public void push(long time, int payload) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            words = Arrays.copyOf(words, size * 2);
        }
        long word = (sequence++ << 32) | (payload & 0xFFFF_FFFFL);
        int i = size++;
        // sift up with a hole: one write per level instead of a swap
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long pt = times[parent];
            if (pt < time || pt == time && words[parent] < word) break;
            times[i] = pt;
            words[i] = words[parent];
            i = parent;
        }
        times[i] = time;
        words[i] = word;
    }

    /** The time of the earliest event; undefined when empty. */
    public long peekTime() {
        return times[0];
    }

    /** The payload of the earliest event; undefined when empty. */
    public int peekPayload() {
        return (int) words[0];
    }

    /** Removes the earliest event (read it with {@link #peekTime} and {@link #peekPayload} first). */
    public void pop() {
        int n = --size;
        if (n == 0) return;
        long time = times[n];
        long word = words[n];
        int i = 0;
        int half = n >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            long ct = times[c];
            if (r < n) {
                long rt = times[r];
                if (rt < ct || rt == ct && words[r] < words[c]) {
                    c = r;
                    ct = rt;
                }
            }
            if (time < ct || time == ct && word < words[c]) break;
            times[i] = ct;
            words[i] = words[c];
            i = c;
        }
        times[i] = time;
        words[i] = word;
    }

    public void clear() {
        size = 0;
        sequence = 0;
    }
}
