package io.switchboard.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DispatchQueueTest {
    private final DispatchQueue q = new DispatchQueue();
    private final List<String> woken = new ArrayList<>();

    private DispatchQueue.Waiter named(String name) {
        return () -> woken.add(name);
    }

    @Test
    void firstInFirstOutWithinAClassAndUrgentClassesFirst() {
        q.offer(named("a0"), 0, 10);
        q.offer(named("b1"), 1, 10);
        q.offer(named("c0"), 0, 10);
        q.offer(named("d-1"), -1, 10);
        for (int i = 0; i < 5; i++) q.wakeOne();
        assertThat(woken).containsExactly("d-1", "a0", "c0", "b1");
        assertThat(q.size()).isZero();
    }

    @Test
    void boundedInLength() {
        assertThat(q.offer(named("a"), 0, 2)).isNotNull();
        assertThat(q.offer(named("b"), 5, 2)).isNotNull();
        assertThat(q.offer(named("c"), 0, 2)).isNull();
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void aNewRequestMustNotOvertakeWaitersOfItsClassOrAMoreUrgentOne() {
        assertThat(q.hasWaitersAtOrBefore(0)).isFalse();
        q.offer(named("a"), 1, 10);
        assertThat(q.hasWaitersAtOrBefore(0)).as("only a less urgent class waits").isFalse();
        assertThat(q.hasWaitersAtOrBefore(1)).isTrue();
        assertThat(q.hasWaitersAtOrBefore(2)).isTrue();
    }

    @Test
    void aCancelledWaiterIsNeverWoken() {
        DispatchQueue.Ticket a = q.offer(named("a"), 0, 10);
        q.offer(named("b"), 0, 10);
        assertThat(a.cancel()).isTrue();
        q.wakeOne();
        assertThat(woken).containsExactly("b");
    }

    @Test
    void aWaiterWokenBeforeItsTimeoutLearnsItMustPassTheWakeUpOn() {
        // The timeout fires between the wake-up (on another loop) and its delivery: the old queue lost
        // that freed slot. Here cancel() says the ticket was woken, and passing it on reaches the next.
        DispatchQueue.Ticket a = q.offer(named("a"), 0, 10);
        q.offer(named("b"), 0, 10);
        q.wakeOne();
        assertThat(woken).containsExactly("a");
        assertThat(a.cancel()).as("already woken").isFalse();
        a.queue().wakeOne();
        assertThat(woken).containsExactly("a", "b");
    }

    @Test
    void aWokenWaiterThatLostTheSlotGoesBackToTheFrontWhateverTheLength() {
        DispatchQueue.Ticket a = q.offer(named("a"), 0, 2);
        q.offer(named("b"), 0, 2);
        q.wakeOne();
        q.offer(named("c"), 0, 2);
        DispatchQueue.Ticket again = a.requeue();
        assertThat(q.size()).isEqualTo(3);
        q.wakeOne();
        assertThat(woken).containsExactly("a", "a");
        assertThat(again.cancel()).isFalse();
    }
}
