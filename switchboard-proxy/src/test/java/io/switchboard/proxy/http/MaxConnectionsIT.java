package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Per-back-end max-connections with a bounded pool queue and a queue timeout. */
class MaxConnectionsIT {

    private static List<HttpResponse<String>> concurrent(ProxyFixture f, int n, String path) {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(f.client().sendAsync(HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    private static List<ServerConfig> limited(ProxyFixture f, int max) {
        List<ServerConfig> out = new ArrayList<>();
        for (DemoBackend b : f.backends) out.add(new ServerConfig(b.name(), "127.0.0.1", b.port(), 1, null, max));
        return out;
    }

    @Test
    void requestsOverTheLimitWaitAndAllSucceed() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo")) {
            f.start(limited(f, 1));
            List<HttpResponse<String>> rs = concurrent(f, 8, "/delay?ms=100");
            assertThat(rs).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
            for (DemoBackend b : f.backends) assertThat(b.maxInProgress()).as(b.name()).isEqualTo(1);
            assertThat(f.proxy.state().queueLength(f.pool)).isZero();
        }
    }

    @Test
    void fullQueueIs503WithRetryAfter() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.queueSize = 1;
            f.start(limited(f, 1));
            List<HttpResponse<String>> rs = concurrent(f, 5, "/delay?ms=300");
            long ok = rs.stream().filter(r -> r.statusCode() == 200).count();
            List<HttpResponse<String>> busy = rs.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(ok + busy.size()).isEqualTo(5);
            assertThat(ok).isBetween(1L, 2L); // one in flight, at most one from the queue
            assertThat(busy).isNotEmpty().allSatisfy(r -> {
                assertThat(r.body()).contains("all back ends busy");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            });
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("full (1 waiting)"));
            assertThat(f.backends.get(0).maxInProgress()).isEqualTo(1);
        }
    }

    @Test
    void queueTimeoutIs503() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.queueTimeout = Duration.ofMillis(200);
            f.start(limited(f, 1));
            List<HttpResponse<String>> rs = concurrent(f, 3, "/delay?ms=2000");
            assertThat(rs.stream().filter(r -> r.statusCode() == 200).count()).isEqualTo(1);
            assertThat(rs.stream().filter(r -> r.statusCode() == 503).count()).isEqualTo(2);
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("in the queue of class 'default' in pool 'app'"));
            assertThat(f.proxy.state().queueLength(f.pool)).isZero();
        }
    }
}
