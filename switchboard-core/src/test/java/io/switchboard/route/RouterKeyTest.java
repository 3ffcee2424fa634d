package io.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteKey;
import io.switchboard.route.RouterTest.Req;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Router.Decision#affinityKey}: what a forward's {@code key} makes the path-keyed algorithms key on. */
class RouterKeyTest {
    final Router router = new Router("app", List.of(new RouteConfig("api", new Match.Builder().pathPrefix("/api/").build(),
            RouteAction.Forward.to("api"))));

    String key(Req r, String key) {
        return router.route(r).affinityKey(RouteKey.parse(key));
    }

    @Test
    void thePathKeyIsTheNormalisedPath() {
        assertThat(key(Req.get("h", "/api/x/../y?q=1"), "path")).isEqualTo("/api/y");
        assertThat(key(Req.get("h", "/%62"), "path")).isEqualTo("/b");
    }

    @Test
    void aHeaderCookieOrQueryValueIsTaggedWithItsKey() {
        Req r = Req.get("h", "/api/x?user=ann&b=2").withHeader("X-Tenant", "acme").withCookie("sid", "s1");
        assertThat(key(r, "header:x-tenant")).isEqualTo("header:x-tenant=acme");
        assertThat(key(r, "cookie:sid")).isEqualTo("cookie:sid=s1");
        assertThat(key(r, "query:user")).isEqualTo("query:user=ann");
        assertThat(key(Req.get("h", "/api/a").withHeader("X-Tenant", "acme"), "header:X-Tenant"))
                .isEqualTo(key(Req.get("h", "/api/b").withHeader("X-Tenant", "acme"), "header:X-Tenant"));
    }

    @Test
    void withoutTheValueTheRequestIsKeyedByItsPath() {
        assertThat(key(Req.get("h", "/api/./x"), "header:X-Tenant")).isEqualTo("/api/x");
        assertThat(key(Req.get("h", "/api/x?user="), "query:user")).isEqualTo("/api/x");
        assertThat(key(Req.get("h", "/api/x"), "cookie:sid")).isEqualTo("/api/x");
    }

    @Test
    void aLongValueIsCutLikeAMatchKey() {
        String v = "t".repeat(Router.MAX_KEY_LENGTH + 500);
        assertThat(key(Req.get("h", "/api/x").withHeader("X-Tenant", v), "header:X-Tenant"))
                .isEqualTo("header:X-Tenant=" + v.substring(0, Router.MAX_KEY_LENGTH));
    }
}
