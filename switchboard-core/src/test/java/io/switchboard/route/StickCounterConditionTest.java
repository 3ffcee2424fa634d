package io.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Counter;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteConfig.StickCounter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code stick-counter} route condition, over a fake request whose counters the test sets. */
class StickCounterConditionTest {

    /** A GET whose stick counters are given by pool and counter; records every read. */
    static final class Req implements RouteRequest {
        final String target;
        final Map<String, Long> counters = new HashMap<>();
        final List<String> reads = new ArrayList<>();

        Req(String target) {
            this.target = target;
        }

        Req with(String pool, Counter c, long value) {
            counters.put(pool + "/" + c, value);
            return this;
        }

        @Override public String method() { return "GET"; }
        @Override public String host() { return "h"; }
        @Override public String target() { return target; }
        @Override public String header(String name) { return null; }
        @Override public String cookie(String name) { return null; }
        @Override public byte[] clientAddressBytes() { return new byte[] {127, 0, 0, 1}; }

        @Override
        public long stickCounter(String pool, Counter counter) {
            reads.add(pool + "/" + counter);
            return counters.getOrDefault(pool + "/" + counter, 0L);
        }
    }

    private static RouteConfig respond(String name, Match m, int status) {
        return new RouteConfig(name, m, new RouteAction.Respond(status, ""));
    }

    private static RouteConfig forward(String name, Match m, String pool) {
        return new RouteConfig(name, m, RouteAction.Forward.to(pool));
    }

    private static Match above(String pool, Counter c, long n) {
        return new Match.Builder().stickCounter(new StickCounter(pool, c, n)).build();
    }

    private static String outcome(Router r, RouteRequest q) {
        RouteAction a = r.route(q).action();
        return a instanceof RouteAction.Forward f ? f.pool() : a instanceof RouteAction.Respond x ? "" + x.status() : a.toString();
    }

    @Test
    void holdsOnlyWhenTheCounterIsMoreThanAbove() {
        Router r = new Router("app", List.of(respond("too-fast", above("app", Counter.REQUEST_RATE, 100), 429)));
        assertThat(outcome(r, new Req("/").with("app", Counter.REQUEST_RATE, 101))).isEqualTo("429");
        assertThat(outcome(r, new Req("/").with("app", Counter.REQUEST_RATE, 100))).isEqualTo("app");
        assertThat(outcome(r, new Req("/"))).isEqualTo("app");
    }

    @Test
    void readsThePoolAndCounterItNames() {
        Router r = new Router("app", List.of(
                forward("errors", above("app", Counter.ERRORS, 3), "fallback"),
                forward("connections", above("api", Counter.CONNECTION_RATE, 0), "slow")));
        Req busyOnApi = new Req("/").with("api", Counter.CONNECTION_RATE, 1).with("app", Counter.REQUEST_RATE, 1000);
        assertThat(outcome(r, busyOnApi)).isEqualTo("slow");
        assertThat(busyOnApi.reads).containsExactly("app/ERRORS", "api/CONNECTION_RATE");
        assertThat(outcome(r, new Req("/").with("app", Counter.ERRORS, 4))).isEqualTo("fallback");
    }

    @Test
    void combinesWithOtherConditionsAndNot() {
        Match apiAndFast = new Match.Builder().pathPrefix("/api/").stickCounter(new StickCounter("app", Counter.REQUESTS, 10)).build();
        Match vipUnlessHeavy = new Match.Builder().pathPrefix("/vip/").not(above("app", Counter.REQUEST_RATE, 50)).build();
        Router r = new Router("app", List.of(respond("limit", apiAndFast, 429), forward("vip", vipUnlessHeavy, "vip")));
        assertThat(outcome(r, new Req("/api/x").with("app", Counter.REQUESTS, 11))).isEqualTo("429");
        assertThat(outcome(r, new Req("/other").with("app", Counter.REQUESTS, 11))).isEqualTo("app");
        assertThat(outcome(r, new Req("/vip/x").with("app", Counter.REQUEST_RATE, 50))).isEqualTo("vip");
        assertThat(outcome(r, new Req("/vip/x").with("app", Counter.REQUEST_RATE, 51))).isEqualTo("app");
    }

    @Test
    void isReadOnlyByRoutesThatHaveItAndAfterTheirOtherConditions() {
        Router without = new Router("app", List.of(forward("api", new Match.Builder().pathPrefix("/api/").build(), "api"),
                forward("post", new Match.Builder().methods("POST").build(), "api")));
        Req q = new Req("/api/x");
        assertThat(outcome(without, q)).isEqualTo("api");
        assertThat(outcome(without, new Req("/x"))).isEqualTo("app");
        assertThat(q.reads).isEmpty();

        Router with = new Router("app", List.of(respond("limit",
                new Match.Builder().pathPrefix("/api/").stickCounter(new StickCounter("app", Counter.REQUESTS, 1)).build(), 429)));
        Req other = new Req("/other");
        assertThat(outcome(with, other)).isEqualTo("app");
        assertThat(other.reads).as("the path did not match: no table read").isEmpty();
    }

    @Test
    void aRequestWithoutTablesReadsZero() {
        RouteRequest plain = new RouteRequest() {
            @Override public String method() { return "GET"; }
            @Override public String host() { return "h"; }
            @Override public String target() { return "/"; }
            @Override public String header(String name) { return null; }
            @Override public String cookie(String name) { return null; }
            @Override public byte[] clientAddressBytes() { return null; }
        };
        Router r = new Router("app", List.of(respond("any", above("app", Counter.REQUESTS, 0), 429)));
        assertThat(outcome(r, plain)).isEqualTo("app");
    }

    @Test
    void shadowingUnderstandsThresholdsAndNothingMore() {
        RouteConfig limit100 = respond("limit-100", above("app", Counter.REQUEST_RATE, 100), 429);
        RouteConfig limit200 = respond("limit-200", above("app", Counter.REQUEST_RATE, 200), 503);
        RouteConfig errors = respond("errors", above("app", Counter.ERRORS, 100), 503);
        RouteConfig otherPool = respond("other-pool", above("api", Counter.REQUEST_RATE, 100), 503);
        RouteConfig api = forward("api", new Match.Builder().pathPrefix("/api/").build(), "api");
        RouteConfig apiHeavy = respond("api-heavy",
                new Match.Builder().pathPrefix("/api/v1").stickCounter(new StickCounter("app", Counter.REQUESTS, 5)).build(), 429);
        // a higher threshold on the same counter is taken by the lower one first
        assertThat(RouteConfig.shadowing(List.of(limit100, limit200))).containsExactly(-1, 0);
        assertThat(RouteConfig.shadowing(List.of(limit200, limit100))).containsExactly(-1, -1);
        // another counter, another pool, or no stick condition at all: never shadowed by a stick condition
        assertThat(RouteConfig.shadowing(List.of(limit100, errors, otherPool, api))).containsExactly(-1, -1, -1, -1);
        // a stick condition only narrows a later route: an earlier broader route still shadows it
        assertThat(RouteConfig.shadowing(List.of(api, apiHeavy))).containsExactly(-1, 0);
        assertThat(limit100.match().describe()).isEqualTo("stick-counter app request-rate > 100");
        Match notHeavy = new Match.Builder().not(above("app", Counter.REQUEST_RATE, 100)).build();
        assertThat(notHeavy.isAny()).isFalse();
        assertThat(RouteConfig.shadowing(List.of(respond("not", notHeavy, 200), api))).containsExactly(-1, -1);
    }

    @Test
    void theConditionChecksItsValues() {
        assertThatThrownBy(() -> new StickCounter("app", Counter.REQUESTS, -1)).hasMessageContaining("0 or more");
        assertThatThrownBy(() -> Counter.parse("req-rate"))
                .hasMessage("unknown counter 'req-rate' (allowed: request-rate, connection-rate, errors, requests, connections)");
        assertThat(Counter.parse("connection-rate")).isEqualTo(Counter.CONNECTION_RATE);
    }
}
