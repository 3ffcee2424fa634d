package io.switchboard.sim;

import java.util.Arrays;

/**
 * The simulator's pending events: a 4-ary min-heap over two parallel primitive arrays (times and
 * 32-bit payloads), so that scheduling and taking an event allocate nothing (the arrays only grow,
 * by doubling).
 *
 * <p>Four children per node rather than two: half the levels, and the four children of a node share
 * a cache line of times; a pop, which walks the whole depth, costs about half of a binary heap's
 * (taking the next event is most of an engine's time at thousands of requests in flight).
 *
 * <p>Events at the same time come out in an order fixed by the sequence of pushes and pops alone,
 * not by the order they were scheduled: a run is still reproducible, and no engine event depends on
 * the order of simultaneous events beyond that.
 *
 * <p>Threading: confined to one engine's thread.
 */
public final class EventQueue {
    private long[] times;
    private int[] payloads;
    private int size;

    public EventQueue() {
        this(1024);
    }

    public EventQueue(int capacity) {
        times = new long[Math.max(capacity, 4)];
        payloads = new int[times.length];
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
            payloads = Arrays.copyOf(payloads, size * 2);
        }
        long[] t = times;
        int[] p = payloads;
        int i = size++;
        // sift up with a hole: one write per level instead of a swap
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pt = t[parent];
            if (pt <= time) break;
            t[i] = pt;
            p[i] = p[parent];
            i = parent;
        }
        t[i] = time;
        p[i] = payload;
    }

    /** The time of the earliest event; undefined when empty. */
    public long peekTime() {
        return times[0];
    }

    /** The payload of the earliest event; undefined when empty. */
    public int peekPayload() {
        return payloads[0];
    }

    /** Removes the earliest event (read it with {@link #peekTime} and {@link #peekPayload} first). */
    public void pop() {
        int n = --size;
        if (n == 0) return;
        long[] t = times;
        int[] p = payloads;
        long time = t[n];
        int payload = p[n];
        int i = 0;
        while (true) {
            int c = 4 * i + 1;
            if (c >= n) break;
            // the least of up to four children
            int best = c;
            long bt = t[c];
            int last = Math.min(c + 4, n);
            for (int k = c + 1; k < last; k++) {
                long kt = t[k];
                if (kt < bt) {
                    bt = kt;
                    best = k;
                }
            }
            if (time <= bt) break;
            t[i] = bt;
            p[i] = p[best];
            i = best;
        }
        t[i] = time;
        p[i] = payload;
    }

    public void clear() {
        size = 0;
    }
}
