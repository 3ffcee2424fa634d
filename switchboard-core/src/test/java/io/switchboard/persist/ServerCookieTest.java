package io.switchboard.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.persist.ServerCookie.Rejection;
import org.junit.jupiter.api.Test;

class ServerCookieTest {
    private static final long NOW = 1_800_000_000L;
    private final ServerCookie codec = new ServerCookie(ServerCookie.keyOf("test secret"));

    @Test
    void roundTrip() {
        String v = codec.encode("web-1", NOW - 100, NOW - 10);
        ServerCookie.Decoded d = codec.decode(v, NOW, 0, 0);
        assertThat(d.ok()).isTrue();
        assertThat(d.serverId()).isEqualTo(codec.serverId("web-1"));
        assertThat(d.firstSeconds()).isEqualTo(NOW - 100);
        assertThat(d.lastSeconds()).isEqualTo(NOW - 10);
    }

    @Test
    void everyChangedByteIsRejected() {
        String v = codec.encode("web-1", NOW - 100, NOW - 10);
        for (int i = 0; i < v.length(); i++) {
            char[] c = v.toCharArray();
            c[i] = c[i] == 'A' ? 'B' : (c[i] == '.' ? 'x' : 'A');
            ServerCookie.Decoded d = codec.decode(new String(c), NOW, 0, 0);
            assertThat(d.ok()).as("byte %d changed in %s", i, v).isFalse();
            assertThat(d.serverId()).isNull();
        }
    }

    @Test
    void anotherKeyIsBadMac() {
        String v = new ServerCookie(ServerCookie.keyOf("other")).encode("web-1", NOW, NOW);
        assertThat(codec.decode(v, NOW, 0, 0).rejection()).isEqualTo(Rejection.BAD_MAC);
    }

    @Test
    void sameKeySameIdAcrossInstances() {
        assertThat(new ServerCookie(ServerCookie.keyOf("test secret")).serverId("web-1")).isEqualTo(codec.serverId("web-1"));
        assertThat(codec.serverId("web-2")).isNotEqualTo(codec.serverId("web-1"));
    }

    @Test
    void maxLifeAndMaxIdle() {
        String v = codec.encode("web-1", NOW - 1000, NOW - 100);
        assertThat(codec.decode(v, NOW, 0, 1000).ok()).isTrue();
        assertThat(codec.decode(v, NOW, 0, 999).rejection()).isEqualTo(Rejection.EXPIRED);
        assertThat(codec.decode(v, NOW, 100, 0).ok()).isTrue();
        assertThat(codec.decode(v, NOW, 99, 0).rejection()).isEqualTo(Rejection.IDLE);
    }

    @Test
    void malformedValuesAreRejectedNotThrown() {
        for (String bad : new String[] {"", "x", "....", "abc.1.2.3", "a".repeat(500), "web-1",
                codec.encode("web-1", NOW, NOW) + ".", codec.serverId("w") + ".-1.2." + "A".repeat(22),
                codec.serverId("w") + ".5.4." + "A".repeat(22)}) {
            assertThat(codec.decode(bad, NOW, 0, 0).rejection()).as(bad).isEqualTo(Rejection.MALFORMED);
        }
        assertThat(codec.decode(null, NOW, 0, 0).ok()).isFalse();
    }

    @Test
    void lastSeenFarInTheFutureIsRejected() {
        assertThat(codec.decode(codec.encode("web-1", NOW, NOW + 3600), NOW, 0, 0).ok()).isFalse();
        assertThat(codec.decode(codec.encode("web-1", NOW, NOW + 30), NOW, 0, 0).ok()).isTrue();
    }

    @Test
    void neverContainsTheNameOrAddress() {
        String name = "db.example.internal:8080";
        String v = codec.encode(name, NOW, NOW);
        assertThat(v).doesNotContain(name).doesNotContain("example").doesNotContain("8080");
        assertThat(codec.serverId(name)).hasSize(12).doesNotContain("8080");
        // only cookie-octets (RFC 6265 section 4.1.1): no quoting needed
        assertThat(v).matches("[A-Za-z0-9_.-]+");
    }
}
