package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class AliasTableTest {
    static int[] histogram(AliasTable table, int draws, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] counts = new int[table.size()];
        for (int i = 0; i < draws; i++) counts[table.sample(random)]++;
        return counts;
    }

    @Test
    void drawsInProportionToWeight() {
        int[] weights = {1, 5, 2, 8, 4};
        int draws = 200_000;
        int[] counts = histogram(new AliasTable(weights), draws, 11);
        for (int i = 0; i < weights.length; i++) {
            double p = weights[i] / 20.0;
            double sigma = Math.sqrt(draws * p * (1 - p));
            assertThat((double) counts[i]).as("index %d", i).isCloseTo(draws * p, org.assertj.core.data.Offset.offset(6 * sigma));
        }
    }

    @Test
    void aZeroWeightIsNeverDrawn() {
        int[] counts = histogram(new AliasTable(new int[] {3, 0, 1, 0}), 50_000, 5);
        assertThat(counts[1]).isZero();
        assertThat(counts[3]).isZero();
        assertThat(counts[0] + counts[2]).isEqualTo(50_000);
    }

    @Test
    void aSingleWeightIsAlwaysDrawn() {
        assertThat(histogram(new AliasTable(new int[] {7}), 1_000, 3)).containsExactly(1_000);
    }

    @Test
    void equalWeightsAreUniform() {
        int[] counts = histogram(new AliasTable(new int[] {2, 2, 2, 2}), 40_000, 9);
        for (int c : counts) assertThat(c).isBetween(10_000 - 520, 10_000 + 520); // 6 sigma
    }

    @Test
    void aDrawKeepsItsColumnBelowTheKeepFractionAndTakesTheAliasFromIt() {
        // weights {1, 3}: column 0 keeps index 0 for the first half (2^31 of 2^32) and hands the rest
        // to index 1; column 1 is index 1's whole. The high 32 bits pick the column, the low 32 decide.
        AliasTable table = new AliasTable(new int[] {1, 3});
        assertThat(table.sample(fixed(0x0000_0000_0000_0000L))).isEqualTo(0);
        assertThat(table.sample(fixed(0x0000_0000_7fff_ffffL))).isEqualTo(0);
        assertThat(table.sample(fixed(0x0000_0000_8000_0000L))).isEqualTo(1);
        assertThat(table.sample(fixed(0x7fff_ffff_ffff_ffffL))).isEqualTo(1);
        assertThat(table.sample(fixed(0x8000_0000_0000_0000L))).as("a column kept whole").isEqualTo(1);
        assertThat(table.sample(fixed(0xffff_ffff_ffff_ffffL))).isEqualTo(1);
    }

    static RandomGenerator fixed(long value) {
        return () -> value;
    }

    @Test
    void nothingToDrawFromIsRejected() {
        assertThatThrownBy(() -> new AliasTable(new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliasTable(new int[] {0, 0})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AliasTable(new int[] {1, -1})).isInstanceOf(IllegalArgumentException.class);
    }
}
