package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class AdminStateSyntaxTest {
    @ParameterizedTest
    @CsvSource({"ready, READY", "drain, DRAIN", "maint, MAINT", "DRAIN, DRAIN", "' Maint ', MAINT"})
    void reads(String text, AdminState state) {
        assertThat(AdminStateSyntax.parse(text)).isEqualTo(state);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "down|unknown state 'down' (allowed: ready, drain, maint)",
            "off|unknown state 'off' (allowed: ready, drain, maint)",
            "up|unknown state 'up' (allowed: ready, drain, maint)",
            "maintenance|unknown state 'maintenance' (allowed: ready, drain, maint)",
            "\"\"|unknown state '' (allowed: ready, drain, maint)"})
    void refuses(String text, String message) {
        assertThatThrownBy(() -> AdminStateSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest
    @EnumSource(AdminState.class)
    void formatIsReadBack(AdminState s) {
        assertThat(AdminStateSyntax.parse(AdminStateSyntax.format(s))).isEqualTo(s);
        assertThat(AdminStateSyntax.format(s)).isEqualTo(s.label());
    }
}
