package io.switchboard.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WindowedCounterTest {
    static final long SECOND = 1_000_000_000L;
    static final long T0 = 100 * SECOND;

    /** 10 s window in 10 buckets of 1 s. */
    final WindowedCounter counter = new WindowedCounter(10 * SECOND, 10);

    @Test
    void sumsWhatWasAddedWithinTheWindow() {
        assertThat(counter.sum(T0)).isZero();
        counter.add(100, T0);
        counter.add(50, T0 + 3 * SECOND);
        counter.add(25, T0 + 9 * SECOND);
        assertThat(counter.sum(T0 + 9 * SECOND)).isEqualTo(175);
    }

    @Test
    void bucketsThatFallOutOfTheWindowStopCounting() {
        counter.add(100, T0);
        counter.add(50, T0 + 5 * SECOND);
        counter.add(1, T0 + 10 * SECOND); // the bucket of T0 is a whole window old
        assertThat(counter.sum(T0 + 10 * SECOND)).isEqualTo(51);
        counter.add(1, T0 + 15 * SECOND);
        assertThat(counter.sum(T0 + 15 * SECOND)).isEqualTo(2);
    }

    @Test
    void aWholeWindowWithoutWritesReadsAsIdle() {
        counter.add(100, T0);
        assertThat(counter.sum(T0 + 10 * SECOND - 1)).isEqualTo(100);
        assertThat(counter.sum(T0 + 10 * SECOND)).isZero();
    }

    @Test
    void aLateSampleDoesNotWipeANewerBucket() {
        counter.add(100, T0 + 12 * SECOND);       // bucket 2 now holds second 112
        counter.add(7, T0 + 2 * SECOND);          // a sample from second 102 arrives late
        assertThat(counter.sum(T0 + 12 * SECOND)).as("the stale sample is dropped").isEqualTo(100);
        counter.add(5, T0 + 11 * SECOND);         // late but within the window: counts
        assertThat(counter.sum(T0 + 12 * SECOND)).isEqualTo(105);
    }

    @Test
    void negativeClockValuesWork() {
        // System.nanoTime may be negative.
        long t = -50 * SECOND;
        counter.add(10, t);
        counter.add(10, t + SECOND);
        assertThat(counter.sum(t + SECOND)).isEqualTo(20);
    }

    @Test
    void theRawTotalAndTheLastWriteTimeAreExposedForPickers() {
        assertThat(counter.lastWriteNanos()).as("before any write: idle at any time").isLessThan(-1_000_000 * SECOND);
        counter.add(100, T0);
        counter.add(50, T0 + 3 * SECOND);
        assertThat(counter.total()).isEqualTo(150);
        assertThat(counter.lastWriteNanos()).isEqualTo(T0 + 3 * SECOND);
        counter.add(7, T0 + SECOND); // late, but within the window: counts, the last write time stays
        assertThat(counter.lastWriteNanos()).isEqualTo(T0 + 3 * SECOND);
        assertThat(counter.windowNanos()).isEqualTo(10 * SECOND);
        // total() skips the idle rule of sum(): it is sum(now) for now < lastWrite + window.
        assertThat(counter.sum(T0 + 13 * SECOND - 1)).isEqualTo(counter.total()).isEqualTo(157);
        assertThat(counter.sum(T0 + 13 * SECOND)).isZero();
        assertThat(counter.total()).isEqualTo(157);
    }

    @Test
    void theListenerHearsOfEveryWriteThatChangedSomething() {
        AtomicInteger changes = new AtomicInteger();
        WindowedCounter listened = new WindowedCounter(10 * SECOND, 10, changes::incrementAndGet);
        listened.add(100, T0 + 12 * SECOND);
        listened.add(5, T0 + 12 * SECOND);
        assertThat(changes).hasValue(2);
        listened.add(7, T0 + 2 * SECOND); // a whole window late: dropped, nothing changed
        assertThat(changes).hasValue(2);
        assertThatThrownBy(() -> new WindowedCounter(SECOND, 10, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void windowAndBucketsMustBePositive() {
        assertThatThrownBy(() -> new WindowedCounter(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowedCounter(SECOND, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
