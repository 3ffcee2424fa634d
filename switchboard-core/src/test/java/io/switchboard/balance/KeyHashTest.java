package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyHashTest {
    @Test
    void charsAndBytesAgreeForAscii() {
        for (String s : new String[] {"", "/", "/index.html", "10.0.0.1", "/a?b=c&d=e"}) {
            assertThat(KeyHash.ofChars(s)).as(s).isEqualTo(KeyHash.of(s));
        }
    }

    @Test
    void neighbouringAddressesLandFarApart() {
        long a = KeyHash.of("10.0.0.1"), b = KeyHash.of("10.0.0.2");
        assertThat(Long.bitCount(a ^ b)).as("differing bits").isBetween(16, 48);
        assertThat(KeyHash.of("10.0.0.1")).isEqualTo(a);
    }

    @Test
    void theMixIsABijectionOnASample() {
        Set<Long> seen = new HashSet<>();
        for (long i = 0; i < 10_000; i++) seen.add(KeyHash.mix(i));
        assertThat(seen).hasSize(10_000);
    }
}
