package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Counter;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteConfig.StickCounter;
import io.switchboard.proxy.ProxyFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code stick-counter} route condition on real sockets: pool "app" keeps a stick table on
 * {@code X-User}, and a route answers 429 to a user whose counter is above the limit. Requests are
 * sent back to back and few, well inside the 10 s rate window; nothing waits on time.
 */
class StickCounterIT {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})");
    private static final PersistenceConfig STICK_ON_USER =
            new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("header:X-User"), Duration.ofMinutes(5), 1000);

    private static RouteConfig limit(Counter counter, long above) {
        return new RouteConfig("too-fast", new Match.Builder().stickCounter(new StickCounter("app", counter, above)).build(),
                new RouteAction.Respond(429, "slow down", 10));
    }

    private static List<String> statuses(String responses) {
        Matcher m = STATUS.matcher(responses);
        return m.results().map(r -> r.group(1)).toList();
    }

    /** One request on its own connection. */
    private static String get(ProxyFixture f, String user) throws Exception {
        String resp = f.raw("GET /x HTTP/1.1\r\nHost: t\r\nX-User: " + user + "\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
        List<String> s = statuses(resp);
        assertThat(s).as(resp).hasSize(1);
        return s.get(0);
    }

    private static long seenFrom(ProxyFixture f, String user) {
        return f.backends.stream().flatMap(b -> b.requests().stream()).filter(r -> user.equals(r.headers().get("X-User"))).count();
    }

    @Test
    void aUserOverTheRateGets429AndOthersStillPass() throws Exception {
        int n = 3;
        try (ProxyFixture f = new ProxyFixture().backends("a", "b")) {
            f.persistence = STICK_ON_USER;
            f.routes = List.of(limit(Counter.REQUEST_RATE, n));
            f.start();
            List<String> alice = new ArrayList<>();
            for (int i = 0; i < n + 2; i++) alice.add(get(f, "alice"));
            assertThat(alice).containsExactly("200", "200", "200", "429", "429");
            assertThat(get(f, "bob")).isEqualTo("200");
            String limited = f.raw("GET /x HTTP/1.1\r\nHost: t\r\nX-User: alice\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
            assertThat(limited).startsWith("HTTP/1.1 429 Too Many Requests\r\n").contains("\r\nretry-after: 10\r\n")
                    .endsWith("\r\n\r\nslow down");
            assertThat(seenFrom(f, "alice")).as("the answered requests reach no back end").isEqualTo(n);
            // a read: the 429s were not counted, and the route made no entry for anyone
            assertThat(f.proxy.state().persistence().pool("app").table().counters("alice", System.nanoTime()).requests()).isEqualTo(n);
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("route too-fast: respond 429"));
            // a request without the key has no counters: never limited
            String keyless = f.raw("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
            assertThat(statuses(keyless)).containsExactly("200");
        }
    }

    @Test
    void anAppCookieTableIsReadByTheCookiesValue() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("a")) {
            f.persistence = new PersistenceConfig.AppCookie("JSESSIONID", Duration.ofMinutes(5), 1000);
            f.routes = List.of(limit(Counter.REQUESTS, 2));
            f.start();
            List<String> s1 = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                s1.addAll(statuses(f.raw("GET /x HTTP/1.1\r\nHost: t\r\nCookie: JSESSIONID=s1\r\nConnection: close\r\n\r\n",
                        Duration.ofSeconds(10))));
            }
            assertThat(s1).containsExactly("200", "200", "429");
            assertThat(statuses(f.raw("GET /x HTTP/1.1\r\nHost: t\r\nCookie: JSESSIONID=s2\r\nConnection: close\r\n\r\n",
                    Duration.ofSeconds(10)))).containsExactly("200");
        }
    }

    @Test
    void errorsOfTheKeyCountWithoutThisRequest() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("a")) {
            f.persistence = STICK_ON_USER;
            f.routes = List.of(limit(Counter.ERRORS, 1));
            f.start();
            f.backends.get(0).setFailureRate(1.0);
            assertThat(get(f, "erin")).isEqualTo("500");
            assertThat(get(f, "erin")).as("one error so far: not above 1").isEqualTo("500");
            assertThat(get(f, "erin")).isEqualTo("429");
            f.backends.get(0).setFailureRate(0);
            assertThat(get(f, "frank")).isEqualTo("200");
        }
    }

    @Test
    void aConnectionCountsOnceForItsKey() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("a")) {
            f.persistence = STICK_ON_USER;
            f.routes = List.of(limit(Counter.CONNECTIONS, 2));
            f.start();
            String three = "GET /1 HTTP/1.1\r\nHost: t\r\nX-User: carol\r\n\r\n"
                    + "GET /2 HTTP/1.1\r\nHost: t\r\nX-User: carol\r\n\r\n"
                    + "GET /3 HTTP/1.1\r\nHost: t\r\nX-User: carol\r\nConnection: close\r\n\r\n";
            assertThat(statuses(f.raw(three, Duration.ofSeconds(10)))).as("one connection").containsExactly("200", "200", "200");
            assertThat(get(f, "carol")).as("the second connection").isEqualTo("200");
            assertThat(get(f, "carol")).as("the third connection is above 2").isEqualTo("429");
            assertThat(get(f, "dave")).isEqualTo("200");
        }
    }
}
