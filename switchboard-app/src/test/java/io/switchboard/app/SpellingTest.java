package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** "Did you mean": the value parsers it used to share a test with are now in core's io.switchboard.config. */
class SpellingTest {
    @Test
    void suggestsOnlyWhatIsClose() {
        List<String> keys = List.of("name", "address", "weight", "state");
        assertThat(Spelling.closest("wieght", keys)).isEqualTo("weight");
        assertThat(Spelling.closest("adress", keys)).isEqualTo("address");
        assertThat(Spelling.closest("Name", keys)).isEqualTo("name");
        assertThat(Spelling.closest("colour", keys)).isNull();
        assertThat(Spelling.closest("max_body", List.of("max-body", "max-idle-per-backend"))).isEqualTo("max-body");
        assertThat(Spelling.closest("HEADER_TIMEOUT", List.of("header-timeout"))).isEqualTo("header-timeout");
    }
}
