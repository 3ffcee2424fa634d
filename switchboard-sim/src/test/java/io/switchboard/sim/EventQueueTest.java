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
    private record Entry(long time, long seq, int payload) {}

    /** Any interleaving of pushes and pops gives what a reference priority queue on (time, order scheduled) gives. */
    @Property(tries = 300)
    void popsInTimeThenScheduleOrder(@ForAll @Size(max = 400) List<@LongRange(min = 0, max = 50) Long> times,
                                     @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 3) Integer> popsAfter) {
        EventQueue q = new EventQueue(2);
        PriorityQueue<Entry> ref = new PriorityQueue<>(Comparator.comparingLong(Entry::time).thenComparingLong(Entry::seq));
        List<Integer> got = new ArrayList<>();
        List<Integer> want = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < times.size(); i++) {
            q.push(times.get(i), i);
            ref.add(new Entry(times.get(i), seq++, i));
            int pops = i < popsAfter.size() ? popsAfter.get(i) : 0;
            for (int k = 0; k < pops && !q.isEmpty(); k++) {
                got.add(q.peekPayload());
                q.pop();
                want.add(ref.poll().payload());
            }
        }
        while (!q.isEmpty()) {
            assertThat(q.peekTime()).isEqualTo(ref.peek().time());
            got.add(q.peekPayload());
            q.pop();
            want.add(ref.poll().payload());
        }
        assertThat(got).isEqualTo(want);
        assertThat(ref).isEmpty();
    }

    @Test
    void equalTimesComeOutInScheduleOrderAndPayloadKeepsAllBits() {
        EventQueue q = new EventQueue(2);
        q.push(5, 0xF000_0001);
        q.push(5, 2);
        q.push(1, 3);
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.peekPayload()).isEqualTo(3);
        q.pop();
        assertThat(q.peekPayload()).isEqualTo(0xF000_0001);
        q.pop();
        assertThat(q.peekPayload()).isEqualTo(2);
        q.pop();
        assertThat(q.isEmpty()).isTrue();
    }
}
