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
    void equalCostsOrderByPositionFromTheOffset() {
        int n = 5, off = 3;
        long mask = (1L << ScanKey.positionBits(n)) - 1;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = ScanKey.of(7.0, ScanKey.position(i, off, mask), mask);
        // Scan order from offset 3: 3, 4, 0, 1, 2.
        Integer[] byKey = {0, 1, 2, 3, 4};
        Arrays.sort(byKey, (x, y) -> Long.compare(keys[x], keys[y]));
        assertThat(byKey).containsExactly(3, 4, 0, 1, 2);
        for (int i = 0; i < n; i++) assertThat(ScanKey.index(keys[i], mask, off)).isEqualTo(i);
    }

    @Test
    void aLowerCostWinsWhateverItsPosition() {
        long mask = (1L << ScanKey.positionBits(100)) - 1;
        long cheapLast = ScanKey.of(1.0, ScanKey.position(2, 3, mask), mask);
        long dearFirst = ScanKey.of(1.001, ScanKey.position(3, 3, mask), mask);
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
