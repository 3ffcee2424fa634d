package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AffinityKeyTest {
    record View(String clientAddress, String target) implements RequestView {}

    /** A view whose affinity path is given, as the proxy's is after routing. */
    record Keyed(String clientAddress, String target, String affinityPath) implements RequestView {}

    @Test
    void pathLeavesTheQueryOutByDefault() {
        assertThat(AffinityKey.PATH.hash(new View("192.0.2.1", "/a/b?x=1")))
                .isEqualTo(AffinityKey.PATH.hash(new View("192.0.2.2", "/a/b")))
                .isNotEqualTo(AffinityKey.PATH.hash(new View("192.0.2.1", "/a/c?x=1")));
    }

    @Test
    void pathHashesTheAffinityPathNotTheTarget() {
        long plain = AffinityKey.PATH.hash(new View("192.0.2.1", "/b"));
        assertThat(AffinityKey.PATH.hash(new Keyed("192.0.2.1", "/a/../b?x", "/b"))).isEqualTo(plain);
        assertThat(AffinityKey.PATH.hash(new Keyed("192.0.2.1", "/b", "tenant-7"))).isNotEqualTo(plain);
    }
}
