package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PersistenceConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The head lookups persistence uses, and the Set-Cookie and Cache-Control it writes. */
class SessionPersistenceTest {
    private static Head head(boolean request, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return HeadParser.parse(b, b.length, request, Http1CodecTest.LIMITS);
    }

    @Test
    void cookiesWithoutKeepsTheOthersInOrder() {
        Head h = head(true, "GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1; SRV=x.y ;b=\"q\"\r\ncookie: srv=lower; SRV=again\r\n\r\n");
        assertThat(h.cookiesWithout("SRV")).isEqualTo("a=1; b=\"q\"; srv=lower");
        assertThat(h.cookiesWithout("none")).isNull();
        assertThat(head(true, "GET / HTTP/1.1\r\nHost: a\r\nCookie: SRV=1\r\n\r\n").cookiesWithout("SRV")).isEmpty();
    }

    @Test
    void setCookieFindsTheNamedCookieAmongSeveralFields() {
        Head h = head(false, "HTTP/1.1 200 OK\r\nSet-Cookie: theme=dark; Path=/\r\nset-cookie: JSESSIONID = abc123 ; HttpOnly\r\n"
                + "Cache-Control: public\r\nCache-Control: max-age=60\r\nContent-Length: 0\r\n\r\n");
        assertThat(h.setCookie("JSESSIONID")).isEqualTo("abc123");
        assertThat(h.setCookie("theme")).isEqualTo("dark");
        assertThat(h.setCookie("jsessionid")).isNull();
        assertThat(h.headerList("cache-control")).isEqualTo("public, max-age=60");
        assertThat(h.headerList("expires")).isNull();
    }

    @Test
    void theInsertedCookieAndWhenCachesAreToldItIsPrivate() {
        PersistenceConfig.Cookie c = new PersistenceConfig.Cookie("SRV", Duration.ZERO, Duration.ofHours(8), true, true, "strict", null);
        assertThat(SessionPersistence.setCookie(c, "v", 1000, 1600))
                .isEqualTo("SRV=v; Path=/; Max-Age=28200; HttpOnly; Secure; SameSite=Strict");
        assertThat(SessionPersistence.saysPrivate(null)).isFalse();
        assertThat(SessionPersistence.saysPrivate("public, max-age=60")).isFalse();
        assertThat(SessionPersistence.saysPrivate("private=\"Set-Cookie\"")).isFalse();
        assertThat(SessionPersistence.saysPrivate("max-age=0, Private")).isTrue();
        assertThat(SessionPersistence.saysPrivate("no-store")).isTrue();
    }
}
