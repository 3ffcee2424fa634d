package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScanKeyTest {
    @Test
    void sortableBitsOrderLikeTheDoubles() {
        double[] ascending = {Double.NEGATIVE_INFINITY, -1e300, -2.5, -1.0, -1e-300, -0.0, 0.0, 1e-300, 1.0, 2.5, 1e300,
                Double.POSITIVE_INFINITY};
        for (int i = 1; i < ascending.length; i++) {
            assertThat(ScanKey.sortable(ascending[i - 1])).as("%s < %s", ascending[i - 1], ascending[i])
                    .isLessThan(ScanKey.sortable(ascending[i]));
        }
    }

    @Test
    void equalCostsOrderByPositionFromTheCursor() {
        int n = 5, cursor = 3;
        long mask = (1L << ScanKey.positionBits(n)) - 1;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = ScanKey.of(7.0, ScanKey.position(i, cursor, n), mask);
        Integer[] byKey = {0, 1, 2, 3, 4};
        Arrays.sort(byKey, (x, y) -> Long.compare(keys[x], keys[y]));
        assertThat(byKey).containsExactly(3, 4, 0, 1, 2);
        for (int i = 0; i < n; i++) assertThat(ScanKey.index(keys[i], mask, cursor, n)).isEqualTo(i);
    }

    @Test
    void aFullTieGoesToTheCursorAndTheNextCursorIsPastIt() {
        for (int n : new int[] {1, 2, 3, 5, 100, 1000}) {
            long mask = (1L << ScanKey.positionBits(n)) - 1;
            for (int cursor = 0; cursor < n; cursor++) {
                long best = Long.MAX_VALUE;
                for (int i = 0; i < n; i++) best = Math.min(best, ScanKey.of(2.5, ScanKey.position(i, cursor, n), mask));
                assertThat(ScanKey.index(best, mask, cursor, n)).as("n %d, cursor %d", n, cursor).isEqualTo(cursor);
                assertThat(ScanKey.next(cursor, n)).isEqualTo((cursor + 1) % n);
            }
        }
    }

    @Test
    void aPartialTieIsServedInTurnsWhereverItsMembersSit() {
        // Back ends 0 and 2 of 4 tie at the lowest cost: with XOR positions the cursor 1 ranked 0 first
        // again and again; rotated positions alternate.
        int n = 4;
        long mask = (1L << ScanKey.positionBits(n)) - 1;
        double[] cost = {1.0, 2.0, 1.0, 2.0};
        int cursor = 0;
        int[] wins = new int[n];
        for (int round = 0; round < 10; round++) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) best = Math.min(best, ScanKey.of(cost[i], ScanKey.position(i, cursor, n), mask));
            int winner = ScanKey.index(best, mask, cursor, n);
            wins[winner]++;
            cursor = ScanKey.next(winner, n);
        }
        assertThat(wins).containsExactly(5, 0, 5, 0);
    }

    @Test
    void aLowerCostWinsWhateverItsPosition() {
        long mask = (1L << ScanKey.positionBits(100)) - 1;
        long cheapLast = ScanKey.of(1.0, ScanKey.position(2, 3, 100), mask);  // position 99
        long dearFirst = ScanKey.of(1.001, ScanKey.position(3, 3, 100), mask); // position 0
        assertThat(cheapLast).isLessThan(dearFirst);
        assertThat(ScanKey.ofNonNegative(0.0, 5, mask)).isLessThan(ScanKey.ofNonNegative(Double.MIN_VALUE * 1e10, 0, mask));
    }

    @Test
    void positionBitsCoverThePool() {
        assertThat(ScanKey.positionBits(1)).isEqualTo(1);
        assertThat(ScanKey.positionBits(2)).isEqualTo(1);
        assertThat(ScanKey.positionBits(3)).isEqualTo(2);
        assertThat(ScanKey.positionBits(100)).isEqualTo(7);
        assertThat(ScanKey.positionBits(ScanKey.MAX_BACKENDS)).isEqualTo(20);
        assertThatThrownBy(() -> ScanKey.positionBits(ScanKey.MAX_BACKENDS + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
