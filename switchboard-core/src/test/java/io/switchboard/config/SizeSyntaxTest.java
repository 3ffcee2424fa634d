package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizeSyntaxTest {
    @ParameterizedTest
    @CsvSource({"0, 0", "100, 100", "8k, 8192", "8K, 8192", "8kb, 8192", "8KiB, 8192", "10m, 10485760", "1g, 1073741824",
            "1.5k, 1536", "512b, 512"})
    void reads(String text, long bytes) {
        assertThat(SizeSyntax.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "10 MB/s|'10 MB/s' is not a size (write bytes, or e.g. 8k, 10m, 1g)",
            "-1|'-1' is not a size (write bytes, or e.g. 8k, 10m, 1g)",
            "1.3k|'1.3k' is not a whole number of bytes",
            "99999999999g|'99999999999g' is too large"})
    void refuses(String text, String message) {
        assertThatThrownBy(() -> SizeSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void formatIsShortExactAndReadBack() {
        for (long b : new long[] {0, 1000, 8192, 1L << 20, 3L << 30, 1536}) {
            assertThat(SizeSyntax.parse(SizeSyntax.format(b))).isEqualTo(b);
        }
        assertThat(SizeSyntax.format(8192)).isEqualTo("8k");
        assertThat(SizeSyntax.format(1000)).isEqualTo("1000");
    }
}
