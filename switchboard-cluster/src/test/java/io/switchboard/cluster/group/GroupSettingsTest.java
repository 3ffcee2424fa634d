package io.switchboard.cluster.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupSettingsTest {
    @TempDir
    Path dir;

    private ClusterConfig config(Path key) {
        return new ClusterConfig("sb1", "switchboard", "127.0.0.1", 7800,
                List.of(new ClusterConfig.Endpoint("127.0.0.1", 7800), new ClusterConfig.Endpoint("localhost", 7801)),
                key, Duration.ofSeconds(2), "eth0", List.of("10.0.0.100/24", "10.0.0.101/24"), List.of("10.0.0.101/24"),
                Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofMillis(80), Set.of());
    }

    @Test
    void readsTheKeyFileAndCarriesEverySetting() throws Exception {
        Path key = Files.write(dir.resolve("k"), new byte[48]);
        GroupSettings s = GroupSettings.of(config(key));
        assertThat(s.nodeName()).isEqualTo("sb1");
        assertThat(s.peers()).hasSize(2);
        assertThat(s.prefer()).containsExactly("10.0.0.101/24");
        assertThat(s.heartbeat()).isEqualTo(Duration.ofMillis(50));
        assertThat(s.failureTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(s.suspectTimeout()).isEqualTo(Duration.ofMillis(80));
        assertThat(s.groupKey().getEncoded()).hasSize(32);
        assertThat(s.toString()).doesNotContain("groupKey");
    }

    @Test
    void theSameFileGivesTheSameKeyAndAnotherFileAnother() {
        byte[] one = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] two = "0123456789abcdef0123456789abcdeF".getBytes(StandardCharsets.US_ASCII);
        assertThat(GroupSettings.deriveKey(one)).isEqualTo(GroupSettings.deriveKey(one.clone()));
        assertThat(GroupSettings.deriveKey(one)).isNotEqualTo(GroupSettings.deriveKey(two));
        assertThat(GroupSettings.deriveKey(one).getEncoded()).isNotEqualTo(one);
    }

    @Test
    void aMissingOrShortKeyFileIsNamedWithWhatIsWrong() throws Exception {
        Path missing = dir.resolve("nope.key");
        assertThatThrownBy(() -> GroupSettings.of(config(missing)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        Path shortKey = Files.write(dir.resolve("short.key"), new byte[31]);
        assertThatThrownBy(() -> GroupSettings.of(config(shortKey)))
                .hasMessageContaining(shortKey.toString()).hasMessageContaining("holds 31 bytes; at least 32");
    }

    @Test
    void aPreferenceOutsideTheAddressesIsRefused() throws Exception {
        Path key = Files.write(dir.resolve("k"), new byte[32]);
        GroupSettings s = GroupSettings.of(config(key));
        assertThatThrownBy(() -> s.withPrefer(List.of("10.9.9.9/24")))
                .hasMessageContaining("'10.9.9.9/24' is not one of the cluster's vips");
    }
}
