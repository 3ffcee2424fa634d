package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The tree-backed pickers against a plain model: after any sequence of dispatches and completions,
 * a pick is the least (inFlight + 1) / weight, ties to the first at or after the round-robin cursor.
 */
class LoadTreeTest {
    static final long NOW = 1_000_000_000_000L;

    private final SplittableRandom random = new SplittableRandom(2026_12_04L);

    private PickContext context() {
        return new PickContext(random.nextLong(), NOW, random, Set.of());
    }

    private static List<Backend> pool(int n) {
        List<Backend> bs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) bs.add(new Backend("tree", "b" + i, "10.1." + (i / 250) + "." + (i % 250 + 1), 8080));
        return bs;
    }

    /** The model: the first back end from the cursor, wrapping, whose ratio is the least (exact fractions). */
    private static int modelPick(List<Backend> bs, int[] ws, int cursor) {
        int n = bs.size();
        int best = -1;
        for (int k = 0; k < n; k++) {
            int i = (cursor + k) % n;
            if (best < 0 || (bs.get(i).inFlight() + 1L) * ws[best] < (bs.get(best).inFlight() + 1L) * ws[i]) best = i;
        }
        return best;
    }

    @Test
    void leastConnTreeMatchesTheModelThroughRandomTraffic() {
        for (int n : new int[] {16, 17, 200, 1_000}) {
            List<Backend> bs = pool(n);
            int[] ws = new int[n];
            for (int i = 0; i < n; i++) ws[i] = 1 + random.nextInt(4);
            Picker picker = new LeastConnections().newPicker(BackendSet.of(1, bs, ws), null);
            int cursor = 0;
            List<Backend> inFlight = new ArrayList<>();
            for (int step = 0; step < 20_000; step++) {
                int r = random.nextInt(10);
                if (r < 2 && !inFlight.isEmpty()) {
                    inFlight.remove(random.nextInt(inFlight.size())).onComplete(true, 1_000_000, NOW);
                } else if (r < 3) {
                    Backend b = bs.get(random.nextInt(n)); // a request the picker did not choose (another pool's, a retry)
                    b.onDispatch();
                    inFlight.add(b);
                } else {
                    int expected = modelPick(bs, ws, cursor);
                    Backend got = picker.pick(context());
                    int g = bs.indexOf(got);
                    // Equal ratios of different weights (1/1, 3/3) are ordered by the integer keys'
                    // rounding, as the scan orders them; otherwise the pick is exactly the model's.
                    if (g != expected && ws[g] != ws[expected]) {
                        assertThat((got.inFlight() + 1L) * ws[expected]).as("n %d, step %d", n, step)
                                .isEqualTo((bs.get(expected).inFlight() + 1L) * ws[g]);
                    } else {
                        assertThat(got).as("n %d, step %d", n, step).isSameAs(bs.get(expected));
                    }
                    cursor = (g + 1) % n;
                    got.onDispatch();
                    inFlight.add(got);
                }
            }
            for (Backend b : inFlight) b.onComplete(true, 1_000_000, NOW);
        }
    }

    /**
     * An older picker over the same back ends scans (a newer tree took them over), so two pickers
     * driven alike compare the tree with the scan it replaces.
     */
    private void treeAgreesWithTheScan(Algorithm algorithm, boolean bytes, boolean latency) {
        int n = 300;
        long second = 1_000_000_000L;
        List<Backend> bs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            bs.add(new Backend("tree", "b" + i, "10.2." + (i / 250) + "." + (i % 250 + 1), 8080, new java.util.concurrent.atomic.AtomicInteger(),
                    second, 5 * second));
        }
        int[] ws = new int[n];
        for (int i = 0; i < n; i++) ws[i] = 1 + random.nextInt(4);
        Picker scanning = algorithm.newPicker(BackendSet.of(1, bs, ws), null);
        Picker tree = algorithm.newPicker(BackendSet.of(2, bs, ws), null);
        long now = 100 * second;
        List<Backend> inFlight = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            now += random.nextLong(0, 2_000_000); // windows of some back ends go idle as time passes
            int r = random.nextInt(10);
            if (r < 2 && !inFlight.isEmpty()) {
                Backend b = inFlight.remove(random.nextInt(inFlight.size()));
                b.onComplete(true, latency ? random.nextLong(1_000_000, 50_000_000) : -1, now);
                if (bytes) b.onBytes(random.nextLong(100, 10_000), random.nextLong(100, 100_000), now);
            } else {
                PickContext ctx = new PickContext(0, now, random, Set.of());
                Backend got = tree.pick(ctx);
                assertThat(got).as("step %d", step).isSameAs(scanning.pick(ctx));
                got.onDispatch();
                inFlight.add(got);
            }
        }
        for (Backend b : inFlight) b.onComplete(true, -1, now);
    }

    @Test
    void leastTrafficTreeAgreesWithTheScan() {
        treeAgreesWithTheScan(new LeastTraffic(), true, false);
    }

    @Test
    void fastestTreeAgreesWithTheScan() {
        treeAgreesWithTheScan(new Fastest(), false, true);
    }

    @Test
    void afterConcurrentWritersStopTheTreeIsExact() throws Exception {
        int n = 500;
        List<Backend> bs = pool(n);
        int[] ws = new int[n];
        for (int i = 0; i < n; i++) ws[i] = 1 + random.nextInt(4);
        Picker picker = new LeastConnections().newPicker(BackendSet.of(1, bs, ws), null);
        int threads = 4;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = random.nextLong();
            Thread th = new Thread(() -> {
                // writers meet on the lock; a change that found it taken is only a mark
                SplittableRandom own = new SplittableRandom(seed);
                List<Backend> mine = new ArrayList<>();
                for (int k = 0; k < 200_000; k++) {
                    if (own.nextBoolean() || mine.isEmpty()) {
                        Backend b = bs.get(own.nextInt(n));
                        b.onDispatch();
                        mine.add(b);
                    } else {
                        mine.remove(mine.size() - 1).onRelease(NOW);
                    }
                }
            });
            th.start();
            started.add(th);
        }
        for (Thread th : started) th.join(60_000);
        int cursor = -1;
        for (int step = 0; step < 100; step++) {
            Backend got = picker.pick(context());
            if (cursor < 0) cursor = bs.indexOf(got); // the cursor the writers' era left
            int expected = modelPick(bs, ws, cursor);
            assertThat((got.inFlight() + 1L) * ws[expected]).as("step %d", step).isEqualTo((bs.get(expected).inFlight() + 1L) * ws[bs.indexOf(got)]);
            cursor = (bs.indexOf(got) + 1) % n;
            got.onDispatch();
        }
    }

    @Test
    void aWriterThatFindsTheLockTakenLeavesAMarkThatTheNextPickApplies() throws Exception {
        List<Backend> bs = pool(100);
        for (int i = 0; i < 100; i++) if (i != 70) bs.get(i).onDispatch();
        LoadTree[] tree = {new LoadTree(bs.toArray(Backend[]::new), i -> bs.get(i).inFlight() + 1L)};
        assertThat(tree[0].firstMin(0)).isEqualTo(70);
        Thread writer = new Thread(() -> {
            bs.get(70).onDispatch();
            bs.get(70).onDispatch();
            bs.get(30).onRelease(NOW);
        });
        tree[0].whileLocked(() -> {
            writer.start();
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(writer.isAlive()).as("the writer never waits for the lock").isFalse();
            assertThat(tree[0].unsettled()).as("it left marks").isTrue();
            assertThat(tree[0].firstMin(0)).as("not applied while the lock is held").isEqualTo(70);
        });
        assertThat(tree[0].firstMin(0)).as("the next pick applies the marks first").isEqualTo(30);
        assertThat(tree[0].unsettled()).isFalse();
    }

    @Test
    void lardSendsEachNewTargetToTheLeastLoadedAsTheModelDoes() {
        int n = 300;
        List<Backend> bs = pool(n);
        int[] ws = new int[n];
        for (int i = 0; i < n; i++) ws[i] = 1 + random.nextInt(4);
        for (Backend b : bs) for (int k = random.nextInt(5); k > 0; k--) b.onDispatch();
        Picker picker = new Lard().newPicker(BackendSet.of(1, bs, ws), null);
        int cursor = 0;
        for (int step = 0; step < 3_000; step++) {
            int expected = modelPick(bs, ws, cursor);
            Backend got = picker.pick(context()); // a new target every time: random affinity keys
            int g = bs.indexOf(got);
            assertThat((got.inFlight() + 1L) * ws[expected]).as("step %d", step).isEqualTo((bs.get(expected).inFlight() + 1L) * ws[g]);
            cursor = (g + 1) % n;
            got.onDispatch();
            if (step % 3 == 0) bs.get(random.nextInt(n)).onDispatch(); // load from elsewhere
        }
    }

    @Test
    void anOlderPickerOverTheSameBackEndsStillPicksRight() {
        List<Backend> bs = pool(64);
        Picker older = new LeastConnections().newPicker(BackendSet.of(1, bs), null);
        Picker newer = new LeastConnections().newPicker(BackendSet.of(2, bs), older);
        for (int i = 0; i < 64; i++) if (i != 40) bs.get(i).onDispatch();
        assertThat(newer.pick(context())).isSameAs(bs.get(40));
        assertThat(older.pick(context())).as("the newer tree took the back ends over; the older one scans").isSameAs(bs.get(40));
    }

    @Test
    void treeFindsTheFirstMinimumFromTheCursorAndWraps() {
        long[] keys = {5, 3, 7, 3, 9, 3, 8};
        Backend[] bs = pool(keys.length).toArray(Backend[]::new);
        LoadTree tree = new LoadTree(bs, i -> keys[i]);
        assertThat(tree.min()).isEqualTo(3);
        assertThat(tree.firstMin(0)).isEqualTo(1);
        assertThat(tree.firstMin(2)).isEqualTo(3);
        assertThat(tree.firstMin(4)).isEqualTo(5);
        assertThat(tree.firstMin(6)).as("wraps").isEqualTo(1);
        keys[3] = 1;
        tree.changed(3);
        assertThat(tree.firstMin(4)).isEqualTo(3);
        keys[3] = 10;
        tree.changed(3);
        assertThat(tree.min()).isEqualTo(3);
        assertThat(tree.firstMin(2)).isEqualTo(5);
    }
}
