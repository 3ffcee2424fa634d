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
    void equalCostsOrderByPositionUnderTheSalt() {
        int n = 5, salt = 3;
        long mask = (1L << ScanKey.positionBits(n)) - 1;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = ScanKey.salted(ScanKey.of(7.0, i, mask), salt);
        // Positions i ^ 3: 3, 2, 1, 0, 7.
        Integer[] byKey = {0, 1, 2, 3, 4};
        Arrays.sort(byKey, (x, y) -> Long.compare(keys[x], keys[y]));
        assertThat(byKey).containsExactly(3, 2, 1, 0, 4);
        for (int i = 0; i < n; i++) assertThat(ScanKey.index(keys[i], mask, salt)).isEqualTo(i);
    }

    @Test
    void aFullTieGoesToTheIndexEqualToTheSaltSoEveryBackendIsEquallyLikely() {
        for (int n : new int[] {1, 2, 3, 5, 100, 1000}) {
            long mask = (1L << ScanKey.positionBits(n)) - 1;
            for (int salt = 0; salt < n; salt++) {
                long best = Long.MAX_VALUE;
                for (int i = 0; i < n; i++) best = Math.min(best, ScanKey.salted(ScanKey.of(2.5, i, mask), salt));
                assertThat(ScanKey.index(best, mask, salt)).as("n %d, salt %d", n, salt).isEqualTo(salt);
            }
        }
    }

    @Test
    void aLowerCostWinsWhateverItsPosition() {
        long mask = (1L << ScanKey.positionBits(100)) - 1;
        long cheapLast = ScanKey.salted(ScanKey.of(1.0, 2, mask), 3);  // position 1
        long dearFirst = ScanKey.salted(ScanKey.of(1.001, 3, mask), 3); // position 0
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
