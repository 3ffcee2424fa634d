package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NameSyntaxTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "app", "app_1", "web-2.eu", "0", "A123456789012345678901234567890123456789012345678901234567890123"})
    void reads(String name) {
        assertThat(NameSyntax.parse(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-x", ".x", "_x", "my app", "a/b", "é", "A1234567890123456789012345678901234567890123456789012345678901234"})
    void refuses(String name) {
        assertThatThrownBy(() -> NameSyntax.parse(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + name + "' is not a valid name (use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }
}
