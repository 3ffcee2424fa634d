package io.switchboard.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DispatchQueueTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
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
        for (int i = 0; i < 5; i++) q.wakeOne(NOW);
        assertThat(woken).containsExactly("d-1", "a0", "c0", "b1");
        assertThat(q.size()).isZero();
    }

    @Test
    void boundedInLengthPerClass() {
        assertThat(q.offer(named("a"), 0, 2)).isNotNull();
        assertThat(q.offer(named("b"), 5, 1)).isNotNull();
        assertThat(q.offer(named("c"), 5, 1)).as("class 5 holds its limit of 1").isNull();
        assertThat(q.offer(named("d"), 0, 2)).as("class 0 has room for a second").isNotNull();
        assertThat(q.offer(named("e"), 0, 2)).isNull();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.size(0)).isEqualTo(2);
        assertThat(q.size(5)).isEqualTo(1);
        assertThat(q.size(7)).isZero();
    }

    @Test
    void aWaiterPastItsAgeBoundIsServedBeforeMoreUrgentClasses() {
        q.offer(named("bulk"), 1, 10, Set.of(), NOW, 2 * SECOND);
        q.offer(named("gold-1"), 0, 10, Set.of(), NOW + SECOND, 2 * SECOND);
        q.offer(named("gold-2"), 0, 10, Set.of(), NOW + SECOND, 2 * SECOND);
        q.wakeOne(NOW + SECOND);
        assertThat(woken).as("bulk has waited 1 s of its 2: priority decides").containsExactly("gold-1");
        q.wakeOne(NOW + 2 * SECOND);
        assertThat(woken).as("bulk has waited its 2 s: it goes first").containsExactly("gold-1", "bulk");
        q.wakeOne(NOW + 2 * SECOND);
        assertThat(woken).containsExactly("gold-1", "bulk", "gold-2");
    }

    @Test
    void amongAgedWaitersTheOldestGoesFirst() {
        q.offer(named("c2"), 2, 10, Set.of(), NOW + 1, SECOND);
        q.offer(named("c1"), 1, 10, Set.of(), NOW, SECOND);
        q.offer(named("c0"), 0, 10, Set.of(), NOW + 5 * SECOND, SECOND);
        for (int i = 0; i < 3; i++) q.wakeOne(NOW + 5 * SECOND);
        assertThat(woken).containsExactly("c1", "c2", "c0");
    }

    @Test
    void withoutAnAgeBoundALowerClassWaitsAsLongAsAMoreUrgentOneDoes() {
        q.offer(named("bulk"), 1, 10, Set.of(), NOW, 0);
        q.offer(named("gold"), 0, 10, Set.of(), NOW + 100 * SECOND, 0);
        q.wakeOne(NOW + 1000 * SECOND);
        assertThat(woken).containsExactly("gold");
    }

    @Test
    void anAgedLowerWaiterMakesANewUrgentRequestQueue() {
        q.offer(named("bulk"), 1, 10, Set.of(), NOW, 2 * SECOND);
        assertThat(q.hasWaitersAtOrBefore(0, NOW + SECOND)).isFalse();
        assertThat(q.hasWaitersAtOrBefore(0, NOW + 2 * SECOND)).isTrue();
        assertThat(q.hasWaitersAtOrBefore(0)).as("without time, only by class").isFalse();
    }

    @Test
    void aSlotOnAnUntaggedBackEndSkipsWaitersThatNeedTheTag() {
        Backend plain = new Backend("p", "plain", "127.0.0.1", 80);
        Backend cgi = new Backend("p", "cgi", "127.0.0.1", 81);
        cgi.tags(Set.of("cgi", "big"));
        q.offer(named("needs-cgi"), 0, 10, Set.of("cgi"), NOW, 0);
        q.offer(named("any"), 1, 10, Set.of(), NOW, 0);
        q.wakeOne(NOW, plain);
        assertThat(woken).containsExactly("any");
        q.wakeOne(NOW, plain);
        assertThat(woken).as("nobody else can use it").containsExactly("any");
        assertThat(q.size()).isEqualTo(1);
        q.wakeOne(NOW, cgi);
        assertThat(woken).containsExactly("any", "needs-cgi");
    }

    @Test
    void aRequeuedWaiterKeepsItsAge() {
        DispatchQueue.Ticket bulk = q.offer(named("bulk"), 1, 10, Set.of(), NOW, 2 * SECOND);
        q.wakeOne(NOW);
        DispatchQueue.Ticket again = bulk.requeue();
        q.offer(named("gold"), 0, 10, Set.of(), NOW + 2 * SECOND, 2 * SECOND);
        q.wakeOne(NOW + 2 * SECOND);
        assertThat(woken).containsExactly("bulk", "bulk");
        assertThat(again.cancel()).isFalse();
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
        q.wakeOne(NOW);
        assertThat(woken).containsExactly("b");
    }

    @Test
    void aWaiterWokenBeforeItsTimeoutLearnsItMustPassTheWakeUpOn() {
        // The timeout fires between the wake-up (on another loop) and its delivery: the old queue lost
        // that freed slot. Here cancel() says the ticket was woken, and passing it on reaches the next.
        DispatchQueue.Ticket a = q.offer(named("a"), 0, 10);
        q.offer(named("b"), 0, 10);
        q.wakeOne(NOW);
        assertThat(woken).containsExactly("a");
        assertThat(a.cancel()).as("already woken").isFalse();
        a.queue().wakeOne(NOW);
        assertThat(woken).containsExactly("a", "b");
    }

    @Test
    void aWokenWaiterThatLostTheSlotGoesBackToTheFrontWhateverTheLength() {
        DispatchQueue.Ticket a = q.offer(named("a"), 0, 2);
        q.offer(named("b"), 0, 2);
        q.wakeOne(NOW);
        q.offer(named("c"), 0, 2);
        DispatchQueue.Ticket again = a.requeue();
        assertThat(q.size()).isEqualTo(3);
        q.wakeOne(NOW);
        assertThat(woken).containsExactly("a", "a");
        assertThat(again.cancel()).isFalse();
    }

    @Test
    void noTicketIsLostOrWokenTwiceAcrossClassesTagsAndAges() {
        SplittableRandom rnd = new SplittableRandom(12);
        Backend plain = new Backend("p", "plain", "127.0.0.1", 80);
        Backend cgi = new Backend("p", "cgi", "127.0.0.1", 81);
        cgi.tags(Set.of("cgi"));
        Map<DispatchQueue.Ticket, int[]> wakes = new HashMap<>();
        Set<DispatchQueue.Ticket> cancelled = new HashSet<>();
        List<DispatchQueue.Ticket> live = new ArrayList<>();
        long now = NOW;
        for (int step = 0; step < 5_000; step++) {
            now += rnd.nextLong(SECOND / 4);
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    int[] count = {0};
                    Set<String> tags = rnd.nextInt(3) == 0 ? Set.of("cgi") : Set.of();
                    DispatchQueue.Ticket t = q.offer(() -> count[0]++, rnd.nextInt(3), 20, tags, now, rnd.nextInt(2) * SECOND);
                    if (t != null) {
                        wakes.put(t, count);
                        live.add(t);
                    }
                }
                case 2 -> q.wakeOne(now, rnd.nextBoolean() ? plain : rnd.nextBoolean() ? cgi : null);
                default -> {
                    if (!live.isEmpty()) {
                        DispatchQueue.Ticket t = live.remove(rnd.nextInt(live.size()));
                        if (t.cancel()) cancelled.add(t);
                    }
                }
            }
        }
        for (int i = 0; i < 200 && q.size() > 0; i++) q.wakeOne(now, null);
        assertThat(q.size()).isZero();
        for (Map.Entry<DispatchQueue.Ticket, int[]> e : wakes.entrySet()) {
            int n = e.getValue()[0];
            if (cancelled.contains(e.getKey())) assertThat(n).as("a cancelled ticket is never woken").isZero();
            else assertThat(n).as("every ticket not cancelled is woken exactly once").isEqualTo(1);
        }
    }
}
