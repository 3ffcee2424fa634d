package io.switchboard.persist;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StickKeysTest {
    @Test
    void queryParameters() {
        assertThat(StickKeys.queryParameter("/a?user=bob&x=1", "user")).isEqualTo("bob");
        assertThat(StickKeys.queryParameter("/a?x=1&user=bob", "user")).isEqualTo("bob");
        assertThat(StickKeys.queryParameter("/a?xuser=1&user=b%20c#frag", "user")).isEqualTo("b%20c");
        assertThat(StickKeys.queryParameter("/a?user&x=1", "user")).isEmpty();
        assertThat(StickKeys.queryParameter("/a?users=1", "user")).isNull();
        assertThat(StickKeys.queryParameter("/a", "user")).isNull();
        assertThat(StickKeys.queryParameter("/a?", "user")).isNull();
    }
}
