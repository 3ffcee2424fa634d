package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationSyntaxTest {
    @ParameterizedTest
    @CsvSource({"0, 0", "500ms, 500", "2s, 2000", "1.5s, 1500", "1m, 60000", "1h, 3600000", "1d, 86400000",
            "1m30s, 90000", "2S, 2000", "10MS, 10", "' 10s ', 10000"})
    void reads(String text, long millis) {
        assertThat(DurationSyntax.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "30|'30' has no unit (write 30s or 30ms)",
            "2x|'2x' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
            "\"\"|'' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
            "1 s|'1 s' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
            "-1s|'-1s' is negative (durations are 0 or more)",
            "0.5ms|'0.5ms' is finer than a millisecond",
            "400d|'400d' is too long (at most 365d)"})
    void refuses(String text, String message) {
        assertThatThrownBy(() -> DurationSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void formatIsShortExactAndReadBack() {
        List<Duration> ds = List.of(Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(120), Duration.ofHours(2),
                Duration.ofSeconds(90));
        assertThat(ds).extracting(DurationSyntax::format).containsExactly("0s", "1500ms", "2m", "2h", "90s");
        for (Duration d : ds) assertThat(DurationSyntax.parse(DurationSyntax.format(d))).isEqualTo(d);
    }
}
