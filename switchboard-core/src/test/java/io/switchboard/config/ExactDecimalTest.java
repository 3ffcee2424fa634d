package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ExactDecimal} gives what BigDecimal gives (which the two syntaxes used before it) on every input. */
class ExactDecimalTest {
    private static final List<Long> UNITS = List.of(1L, 1_000L, 60_000L, 3_600_000L, 86_400_000L, 1L << 10, 1L << 20, 1L << 30);
    private static final List<Long> LIMITS = List.of(365L * 86_400_000L, Long.MAX_VALUE, 0L, 1L);

    private static void alike(List<String> decimals, List<Long> units) {
        ExactDecimal sum = ExactDecimal.ZERO;
        BigDecimal expected = BigDecimal.ZERO;
        for (int i = 0; i < decimals.size(); i++) {
            sum = sum.plus(ExactDecimal.of(decimals.get(i), units.get(i)));
            expected = expected.add(new BigDecimal(decimals.get(i)).multiply(BigDecimal.valueOf(units.get(i))));
        }
        String what = decimals + " x " + units;
        boolean whole = expected.stripTrailingZeros().scale() <= 0;
        assertThat(sum.isWhole()).as(what).isEqualTo(whole);
        for (long limit : LIMITS) {
            assertThat(sum.exceeds(limit)).as(what + " > " + limit).isEqualTo(expected.compareTo(BigDecimal.valueOf(limit)) > 0);
        }
        if (whole && expected.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
            assertThat(sum.whole()).as(what).isEqualTo(expected.longValueExact());
        }
    }

    @Test
    void edgeCases() {
        alike(List.of("0"), List.of(1L));
        alike(List.of("0.5"), List.of(1L));
        alike(List.of("0.5", "0.5"), List.of(1L, 1L));
        alike(List.of("1.5"), List.of(1_000L));
        alike(List.of("1.0000000000000000000000"), List.of(1L));
        alike(List.of("0.0000000001"), List.of(86_400_000L));
        alike(List.of("0.00001"), List.of(86_400_000L));
        alike(List.of("365"), List.of(86_400_000L));
        alike(List.of("365.00000001"), List.of(86_400_000L));
        alike(List.of("9223372036854775807"), List.of(1L));
        alike(List.of("9223372036854775808"), List.of(1L));
        alike(List.of("8589934591.99999999"), List.of(1L << 30));
        alike(List.of("00000000000000000000000001.50"), List.of(1L << 10));
    }

    @Test
    void randomNumbersAndUnitsReadAsBigDecimalReadsThem() {
        Random random = new Random(20261205);
        for (int k = 0; k < 50_000; k++) {
            int parts = 1 + random.nextInt(3);
            List<String> decimals = new java.util.ArrayList<>();
            List<Long> units = new java.util.ArrayList<>();
            for (int i = 0; i < parts; i++) {
                String whole = digits(random, 1 + random.nextInt(random.nextBoolean() ? 3 : 21));
                decimals.add(random.nextBoolean() ? whole : whole + "." + digits(random, 1 + random.nextInt(random.nextBoolean() ? 3 : 15)));
                units.add(UNITS.get(random.nextInt(UNITS.size())));
            }
            alike(decimals, units);
        }
    }

    private static String digits(Random random, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(random.nextInt(4) == 0 ? '0' : (char) ('0' + random.nextInt(10)));
        return sb.toString();
    }
}
