package io.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    private record Entry(long time, int payload) {}

    /**
     * Any interleaving of pushes and pops: each pop takes an event of the earliest pending time (as a
     * reference priority queue says), and every event comes out exactly once with its payload.
     */
    @Property(tries = 300)
    void popsTheEarliestEventEveryTime(@ForAll @Size(max = 400) List<@LongRange(min = 0, max = 50) Long> times,
                                       @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 5) Integer> popsAfter) {
        EventQueue q = new EventQueue(4);
        PriorityQueue<Entry> ref = new PriorityQueue<>(Comparator.comparingLong(Entry::time));
        List<Entry> pending = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            q.push(times.get(i), i);
            pending.add(new Entry(times.get(i), i));
            ref.add(new Entry(times.get(i), i));
            int pops = i < popsAfter.size() ? popsAfter.get(i) : 0;
            for (int k = 0; k < pops && !q.isEmpty(); k++) popAndCheck(q, ref, pending);
        }
        while (!q.isEmpty()) popAndCheck(q, ref, pending);
        assertThat(pending).isEmpty();
    }

    private static void popAndCheck(EventQueue q, PriorityQueue<Entry> ref, List<Entry> pending) {
        Entry e = new Entry(q.peekTime(), q.peekPayload());
        assertThat(e.time()).isEqualTo(ref.peek().time());
        assertThat(pending.remove(e)).as("popped %s, which was pending", e).isTrue();
        ref.remove(e);
        q.pop();
        assertThat(q.size()).isEqualTo(pending.size());
    }

    @Test
    void keepsAllPayloadBitsAndGrows() {
        EventQueue q = new EventQueue(4);
        for (int i = 0; i < 100; i++) q.push(1000 - i, i == 50 ? 0xF000_0001 : i);
        assertThat(q.size()).isEqualTo(100);
        long last = Long.MIN_VALUE;
        int seen = 0;
        while (!q.isEmpty()) {
            assertThat(q.peekTime()).isGreaterThanOrEqualTo(last);
            last = q.peekTime();
            if (q.peekTime() == 950) assertThat(q.peekPayload()).isEqualTo(0xF000_0001);
            q.pop();
            seen++;
        }
        assertThat(seen).isEqualTo(100);
    }
}
