package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.config.AdminState;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.ServerCookie;
import io.switchboard.persist.StickTable;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.registry.Change;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Session persistence on real sockets: three self-identifying back ends behind round robin, so that
 * without persistence consecutive requests never all land on one of them. Every request goes on a
 * new connection, so that stickiness comes from the cookie or key, not from a kept connection.
 */
class PersistenceIT {
    private static final PersistenceConfig.Cookie COOKIE =
            new PersistenceConfig.Cookie("SRV", Duration.ZERO, Duration.ZERO, false, true, "Lax", null);

    /** One response: status line, header lines, body. */
    record Answer(int status, List<String> headers, String body) {
        String header(String name) {
            for (String h : headers) {
                int c = h.indexOf(':');
                if (c > 0 && h.substring(0, c).equalsIgnoreCase(name)) return h.substring(c + 1).trim();
            }
            return null;
        }

        String backend() {
            return header("X-Backend");
        }

        /** The value of the SRV cookie this response sets, or null. */
        String setCookie(String cookie) {
            for (String h : headers) {
                if (h.regionMatches(true, 0, "Set-Cookie:", 0, 11)) {
                    String v = h.substring(11).trim();
                    if (v.startsWith(cookie + "=")) return v.substring(cookie.length() + 1, v.indexOf(';'));
                }
            }
            return null;
        }
    }

    private static Answer send(ProxyFixture f, String path, String... headers) throws Exception {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for (String h : headers) req.append(h).append("\r\n");
        String raw = f.raw(req.append("\r\n").toString(), Duration.ofSeconds(10));
        int end = raw.indexOf("\r\n\r\n");
        assertThat(end).as("a complete response head: %s", raw).isPositive();
        String[] lines = raw.substring(0, end).split("\r\n");
        List<String> hs = new ArrayList<>(List.of(lines).subList(1, lines.length));
        return new Answer(Integer.parseInt(lines[0].substring(9, 12)), hs, raw.substring(end + 4));
    }

    private static ProxyFixture start(ProxyFixture f, PersistenceConfig p) throws Exception {
        f.backends("a", "b", "c");
        f.persistence = p;
        return f.start();
    }

    private static List<String> backendsOf(ProxyFixture f, int n, String... headers) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Answer a = send(f, "/r" + i, headers);
            assertThat(a.status()).isEqualTo(200);
            out.add(a.backend());
        }
        return out;
    }

    private static PersistenceState.PoolPersistence persistence(ProxyFixture f) {
        return f.proxy.state().persistence().pool("app");
    }

    @Test
    void anInsertedCookieSticksAcrossConnectionsAndTheBackEndNeverSeesIt() throws Exception {
        try (ProxyFixture f = start(new ProxyFixture(), COOKIE)) {
            Answer first = send(f, "/");
            String cookie = first.setCookie("SRV");
            assertThat(cookie).isNotNull().doesNotContain("127.0.0.1");
            for (DemoBackend b : f.backends) assertThat(cookie).doesNotContain(Integer.toString(b.port()));
            assertThat(first.headers()).anyMatch(h -> h.startsWith("Set-Cookie: SRV=") && h.endsWith("; Path=/; HttpOnly; SameSite=Lax"));
            assertThat(first.header("Cache-Control")).isEqualTo("private");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Answer a = send(f, "/r" + i, "Cookie: theme=dark; SRV=" + cookie + "; lang=en");
                seen.add(a.backend());
                assertThat(a.setCookie("SRV")).as("no max-idle: the cookie is not sent again").isNull();
            }
            assertThat(seen).containsOnly(first.backend());
            DemoBackend sticky = f.backends.stream().filter(b -> b.name().equals(first.backend())).findFirst().orElseThrow();
            for (HttpRequest r : sticky.requests()) {
                String c = r.headers().get("Cookie");
                if (r.uri().startsWith("/r")) assertThat(c).isEqualTo("theme=dark; lang=en");
            }
            for (DemoBackend b : f.backends) {
                assertThat(b.requests()).allMatch(r -> r.headers().getAll("Cookie").stream().noneMatch(c -> c.contains("SRV")));
            }
            // the cookie alone: the field goes
            send(f, "/alone", "Cookie: SRV=" + cookie);
            assertThat(sticky.requests()).filteredOn(r -> r.uri().equals("/alone")).allMatch(r -> !r.headers().contains("Cookie"));
        }
    }

    @Test
    void aDrainingServerKeepsItsSessionsButGetsNoNewOnes() throws Exception {
        try (ProxyFixture f = start(new ProxyFixture(), COOKIE)) {
            Answer first = send(f, "/");
            String cookie = first.setCookie("SRV");
            f.pool.apply(new Change.SetAdmin(first.backend(), AdminState.DRAIN, "test"));
            assertThat(backendsOf(f, 4, "Cookie: SRV=" + cookie)).containsOnly(first.backend());
            assertThat(backendsOf(f, 6)).doesNotContain(first.backend());
        }
    }

    @Test
    void aServerDownOrGoneSendsTheSessionElsewhereWithAFreshCookie() throws Exception {
        try (ProxyFixture f = start(new ProxyFixture(), COOKIE)) {
            Answer first = send(f, "/");
            String cookie = first.setCookie("SRV");
            f.pool.apply(new Change.SetAdmin(first.backend(), AdminState.MAINT, "test"));
            Answer moved = send(f, "/", "Cookie: SRV=" + cookie);
            assertThat(moved.backend()).isNotEqualTo(first.backend());
            String fresh = moved.setCookie("SRV");
            assertThat(fresh).isNotNull().isNotEqualTo(cookie);
            assertThat(backendsOf(f, 4, "Cookie: SRV=" + fresh)).containsOnly(moved.backend());

            // gone: the pool no longer has the server at all
            List<ServerConfig> others = new ArrayList<>();
            for (DemoBackend b : f.backends) if (!b.name().equals(moved.backend())) others.add(f.server(b, 1));
            f.pool.apply(new Change.Reconcile(others));
            Answer again = send(f, "/", "Cookie: SRV=" + fresh);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.backend()).isNotEqualTo(moved.backend());
            assertThat(again.setCookie("SRV")).isNotNull();
            assertThat(persistence(f).rejections()).containsEntry(ServerCookie.Rejection.UNKNOWN_SERVER, 1L);
        }
    }

    @Test
    void aTamperedCookieIsServedCountedAndReplaced() throws Exception {
        try (ProxyFixture f = start(new ProxyFixture(), COOKIE)) {
            String cookie = send(f, "/").setCookie("SRV");
            char c = cookie.charAt(3);
            String tampered = cookie.substring(0, 3) + (c == 'A' ? 'B' : 'A') + cookie.substring(4);
            Answer a = send(f, "/", "Cookie: SRV=" + tampered);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.setCookie("SRV")).isNotNull().isNotEqualTo(tampered);
            Answer junk = send(f, "/", "Cookie: SRV=" + "x".repeat(5000));
            assertThat(junk.status()).isEqualTo(200);
            assertThat(persistence(f).rejections()).containsEntry(ServerCookie.Rejection.BAD_MAC, 1L)
                    .containsEntry(ServerCookie.Rejection.MALFORMED, 1L);
        }
    }

    @Test
    void anApplicationCookieIsLearnedAndHonoured() throws Exception {
        try (ProxyFixture f = start(new ProxyFixture(), new PersistenceConfig.AppCookie("JSESSIONID", Duration.ofMinutes(5), 100))) {
            Answer login = send(f, "/session");
            String session = login.setCookie("JSESSIONID");
            assertThat(session).startsWith(login.backend() + "-");
            assertThat(backendsOf(f, 6, "Cookie: JSESSIONID=" + session)).containsOnly(login.backend());
            // a value the proxy never saw set sticks to the first back end that answers it (HAProxy's request-learn)
            List<String> unknown = backendsOf(f, 6, "Cookie: JSESSIONID=unknown");
            assertThat(unknown).containsOnly(unknown.get(0));
            assertThat(backendsOf(f, 6)).as("no cookie: round robin").containsOnly("a", "b", "c").contains("a", "b", "c");
        }
    }

    @Test
    void aStickTableOnAHeaderSticksCountsAndSurvivesAReload() throws Exception {
        PersistenceConfig.Stick stick = new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("header:X-User"),
                Duration.ofMinutes(5), 1000);
        try (ProxyFixture f = start(new ProxyFixture(), stick)) {
            List<String> alice = backendsOf(f, 6, "X-User: alice");
            assertThat(alice).containsOnly(alice.get(0));
            StickTable table = persistence(f).table();
            StickTable.Counters c = table.counters("alice", System.nanoTime());
            assertThat(c.requests()).isEqualTo(6);
            assertThat(c.connections()).isEqualTo(6);

            f.proxy.update(f.config, Map.of("app", f.pool)); // a reload that keeps the pool
            assertThat(persistence(f).table()).isSameAs(table);
            assertThat(backendsOf(f, 6, "X-User: alice")).containsOnly(alice.get(0));
            assertThat(table.page(null, 10, System.nanoTime()).entries()).extracting(StickTable.Entry::key).containsExactly("alice");
        }
    }

    @Test
    void aStickTableOnAQueryParameterOrACookieCountsErrors() throws Exception {
        PersistenceConfig.Stick onQuery = new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("query:user"),
                Duration.ofMinutes(5), 1000);
        ProxyFixture withoutPassive = new ProxyFixture();
        // passive health would eject the failing server after a few 500s (and the session move with it)
        withoutPassive.passive = new PassiveHealthConfig(0, true, Duration.ofSeconds(30), Duration.ofSeconds(60));
        try (ProxyFixture f = start(withoutPassive, onQuery)) {
            f.backends.forEach(b -> b.setFailureRate(1.0)); // every answer a 500
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Answer a = send(f, "/p?x=" + i + "&user=carol");
                assertThat(a.status()).isEqualTo(500);
                seen.add(a.backend());
            }
            assertThat(seen).containsOnly(seen.get(0));
            StickTable.Counters c = persistence(f).table().counters("carol", System.nanoTime());
            assertThat(c.errors()).isEqualTo(4);
            assertThat(c.requests()).isEqualTo(4);
        }
        PersistenceConfig.Stick onCookie = new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("cookie:uid"),
                Duration.ofMinutes(5), 1000);
        try (ProxyFixture f = start(new ProxyFixture(), onCookie)) {
            List<String> dave = backendsOf(f, 6, "Cookie: a=1; uid=dave");
            assertThat(dave).containsOnly(dave.get(0));
            assertThat(persistence(f).table().counters("dave", System.nanoTime()).errors()).isZero();
        }
    }
}
