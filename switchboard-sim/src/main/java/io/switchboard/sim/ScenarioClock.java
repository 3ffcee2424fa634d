package io.switchboard.sim;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The simulated clock of one traffic run: the time, the events scheduled for later, and which of
 * them comes next. Time only moves when {@link #next} takes an event, to that event's time; the run
 * ends at the first event at or after its end.
 *
 * <p>An event is an int, so that scheduling allocates nothing: its kind in the top bits, its
 * subject (a request, a client, a server, a timed event's index) below, at most {@link #SUBJECT}.
 * Open-loop arrivals bypass the {@link EventQueue}: the next one's time is held apart and compared
 * with the queue's head, one push and one pop per request fewer; it comes first at equal times.
 *
 * <p>Threading: confined to one engine's thread.
 */
final class ScenarioClock {
    private static final int KIND_SHIFT = 28;
    /** The largest subject an event carries. */
    static final int SUBJECT = (1 << KIND_SHIFT) - 1;
    static final int ARRIVAL = 0, DONE = 1, FAILED = 2, TIMED = 3, TICK = 4, REPORT = 5, SAMPLE = 6, PROBE = 7;
    /** The kind {@link #next} returns for an open-loop arrival: the caller draws the next one ({@link #nextArrival}). */
    static final int OPEN_ARRIVAL = 8;
    /** What {@link #next} returns once the run is over. */
    static final int END = -1;

    private final EventQueue queue = new EventQueue(4096);
    private final long end;
    private long now;
    /** The next open-loop arrival; never, for closed-loop clients (they are events). */
    private long nextArrival = Long.MAX_VALUE;

    /** @param end the run's end, in nanoseconds since it started */
    ScenarioClock(long end) {
        this.end = end;
    }

    /** The simulated time, in nanoseconds since the run started. */
    long now() {
        return now;
    }

    /** Wall time for the pool's transition records: the epoch plus the simulated clock. */
    InstantSource wallClock() {
        return new InstantSource() {
            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(0, now);
            }
        };
    }

    /** Schedules an event of that kind about that subject at {@code time}. */
    void at(long time, int kind, int subject) {
        queue.push(time, kind << KIND_SHIFT | subject);
    }

    /** Schedules an event of that kind about that subject {@code delay} nanoseconds from now. */
    void after(long delay, int kind, int subject) {
        queue.push(now + delay, kind << KIND_SHIFT | subject);
    }

    /** Sets the time of the next open-loop arrival. */
    void nextArrival(long time) {
        nextArrival = time;
    }

    /**
     * Moves the clock to the next event and returns it ({@link #kind}, {@link #subject}), or
     * {@link #END} when the next one is at or after the run's end, the clock then standing at the end.
     */
    int next() {
        long t = queue.isEmpty() ? Long.MAX_VALUE : queue.peekTime();
        if (nextArrival <= t) {
            if (nextArrival >= end) {
                now = end;
                return END;
            }
            now = nextArrival;
            return OPEN_ARRIVAL << KIND_SHIFT;
        }
        if (t >= end) {
            now = end;
            return END;
        }
        int e = queue.peekPayload();
        queue.pop();
        now = t;
        return e;
    }

    static int kind(int event) {
        return event >>> KIND_SHIFT;
    }

    static int subject(int event) {
        return event & SUBJECT;
    }
}
