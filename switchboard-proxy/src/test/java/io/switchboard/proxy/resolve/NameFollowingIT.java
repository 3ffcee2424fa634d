package io.switchboard.proxy.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end: a back end configured by name, served by a test name server with a 1 s TTL. When the
 * name moves to another loopback address, where a second back end listens on the same port, the
 * proxied requests and the health probes follow it.
 */
class NameFollowingIT {

    @Test
    void requestsAndProbesFollowANameToItsNewAddress() throws Exception {
        try (TestDnsServer dns = new TestDnsServer(); ProxyFixture f = new ProxyFixture()) {
            DemoBackend[] pair = beforeAndAfter(f, dns);
            DemoBackend before = pair[0], after = pair[1];
            f.maxIdle = 0; // every request opens a connection: a pooled one would stay with the old address until it closes
            f.health = new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "GET", "/health", null, 200, 399,
                    Duration.ofMillis(200), Duration.ofSeconds(1), 0.1, 1, 3);
            f.start(List.of(new ServerConfig("app", "app.test", before.port(), 1, null)));

            HttpResponse<String> r = f.get("/one");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("before\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> probed(before));

            dns.answer("app.test", "127.0.0.3", 1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> f.get("/follow").body(), "after\n"::equals);
            await().atMost(Duration.ofSeconds(10)).until(() -> probed(after));

            before.close(); // nothing goes to the old address any more
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> later = f.get("/later");
                assertThat(later.statusCode()).isEqualTo(200);
                assertThat(later.body()).isEqualTo("after\n");
            }
            assertThat(dns.askedFor("app.test")).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void pooledKeepAliveConnectionsFollowTheNameToo() throws Exception {
        try (TestDnsServer dns = new TestDnsServer(); ProxyFixture f = new ProxyFixture()) {
            DemoBackend[] pair = beforeAndAfter(f, dns);
            DemoBackend before = pair[0], after = pair[1];
            f.start(List.of(new ServerConfig("app", "app.test", before.port(), 1, null)));
            for (int i = 0; i < 3; i++) assertThat(f.get("/warm").body()).isEqualTo("before\n");
            assertThat(f.proxy.state().backendConnectionsOpened()).as("one pooled connection, reused").isEqualTo(1);

            dns.answer("app.test", "127.0.0.3", 1);
            // Requests keep the pooled connection to 127.0.0.2 busy; it must still be given up.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> f.get("/follow").body(), "after\n"::equals);
        }
    }

    /** "before" on 127.0.0.2 and "after" on 127.0.0.3, same port; app.test answers 127.0.0.2 for 1 s. */
    private static DemoBackend[] beforeAndAfter(ProxyFixture f, TestDnsServer dns) throws Exception {
        DemoBackend before = new DemoBackend("before", f.transport, f.group, 0, 0).start("127.0.0.2", 0);
        f.backends.add(before);
        DemoBackend after = new DemoBackend("after", f.transport, f.group, 0, 0).start("127.0.0.3", before.port());
        f.backends.add(after);
        dns.answer("app.test", "127.0.0.2", 1);
        f.resolvers = HostResolver.using(f.transport, List.of(dns.address()));
        return new DemoBackend[] {before, after};
    }

    private static boolean probed(DemoBackend b) {
        return b.requests().stream().anyMatch(req -> req.uri().equals("/health"));
    }
}
