package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The request path end to end on real loopback sockets. */
class ProxyIT {

    @Test
    void roundRobinSpreadsEvenlyAcrossThreeBackends() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie").start()) {
            Map<String, Integer> seen = new TreeMap<>();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = f.get("/");
                assertThat(r.statusCode()).isEqualTo(200);
                seen.merge(r.body().trim(), 1, Integer::sum);
            }
            assertThat(seen).containsOnlyKeys("alpha", "bravo", "charlie");
            assertThat(seen.values()).containsOnly(10);
        }
    }

    @Test
    void keepAliveConnectionsToBackendsAreReused() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie").start()) {
            for (int i = 0; i < 90; i++) assertThat(f.get("/").statusCode()).isEqualTo(200);
            int connections = f.backends.stream().mapToInt(DemoBackend::connections).sum();
            long requests = f.backends.stream().mapToLong(DemoBackend::requestCount).sum();
            assertThat(requests).isEqualTo(90);
            // one client connection, sequential requests: at most one connection per back end per loop
            assertThat(connections).isLessThanOrEqualTo(6);
        }
    }

    @Test
    void forwardingHeadersAreSetAndHopByHopRemoved() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            String resp = f.raw("GET /x HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-For: 10.1.2.3\r\n"
                    + "Connection: close, X-Secret\r\nX-Secret: drop-me\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n\r\n",
                    Duration.ofSeconds(5));
            assertThat(resp).startsWith("HTTP/1.1 200").containsIgnoringCase("Via: 1.1 switchboard").contains("alpha");
            HttpRequest seen = f.backends.get(0).requests().get(0);
            assertThat(seen.headers().get("X-Forwarded-For")).isEqualTo("10.1.2.3, 127.0.0.1");
            assertThat(seen.headers().get("X-Forwarded-Proto")).isEqualTo("http");
            assertThat(seen.headers().get("X-Forwarded-Host")).isEqualTo("example.com");
            assertThat(seen.headers().get("Via")).isEqualTo("1.1 switchboard");
            assertThat(seen.headers().contains("X-Secret")).isFalse();
            assertThat(seen.headers().contains("Keep-Alive")).isFalse();
            assertThat(seen.headers().contains("TE")).isFalse();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie").start()) {
            f.backends.get(0).setLatencyMillis(150); // the first answer is the slowest: order must still hold
            StringBuilder req = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                req.append("GET /delay?ms=").append(i == 0 ? 100 : 0).append("&i=").append(i)
                   .append(" HTTP/1.1\r\nHost: t\r\n").append(i == 5 ? "Connection: close\r\n" : "").append("\r\n");
            }
            String resp = f.raw(req.toString(), Duration.ofSeconds(10));
            int count = resp.split("HTTP/1.1 200 OK", -1).length - 1;
            assertThat(count).isEqualTo(6);
            // The answers come back in request order although the first one is the slowest.
            java.util.List<String> order = java.util.regex.Pattern.compile("X-Request-Target: /delay\\?ms=\\d+&i=(\\d)")
                    .matcher(resp).results().map(m -> m.group(1)).toList();
            assertThat(order).containsExactly("0", "1", "2", "3", "4", "5");
        }
    }

    @Test
    void noEligibleBackendIs503WithReason() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.start();
            f.pool.apply(new io.switchboard.registry.Change.SetAdmin("alpha", io.switchboard.config.AdminState.MAINT, "test"));
            HttpResponse<String> r = f.get("/");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no back end available in pool 'app'");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void allBackendsDownAnswers503() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo")) {
            f.start();
            for (DemoBackend b : f.backends) b.close();
            HttpResponse<String> r = f.get("/");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("connection refused"));
        }
    }

    @Test
    void slowBackendIs504() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.responseTimeout = Duration.ofMillis(300);
            f.start();
            HttpResponse<String> r = f.get("/delay?ms=3000");
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("sent no response within 300 ms"));
        }
    }

    @Test
    void refusedBackendIsRedispatched() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.start();
            f.backends.get(1).close();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = f.get("/");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body().trim()).isIn("alpha", "charlie");
            }
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.retries()).isEqualTo(1));
        }
    }

    @Test
    void expect100ContinueUploadIsForwarded() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            String resp = f.raw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello",
                    Duration.ofSeconds(5));
            assertThat(resp).startsWith("HTTP/1.1 100 Continue").contains("HTTP/1.1 200 OK").endsWith("5\n");
        }
    }

    @Test
    void chunkedRequestBodyStaysChunked() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            String resp = f.raw("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", Duration.ofSeconds(5));
            assertThat(resp).contains("HTTP/1.1 200 OK").endsWith("11\n");
            assertThat(f.backends.get(0).requests().get(0).headers().get("Transfer-Encoding")).isEqualTo("chunked");
        }
    }

    @Test
    void http10ClientGetsHttp10Response() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            String resp = f.raw("GET / HTTP/1.0\r\n\r\n", Duration.ofSeconds(5));
            assertThat(resp).startsWith("HTTP/1.0 200 OK").contains("alpha");
        }
    }

    @Test
    void malformedAndOversizedRequestsGetTheirStatus() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            assertThat(f.raw("GET / HTTP/1.1\r\n\r\n", Duration.ofSeconds(5))).startsWith("HTTP/1.1 400");
            assertThat(f.raw("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", Duration.ofSeconds(5))).startsWith("HTTP/1.1 414");
            assertThat(f.raw("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(17000) + "\r\n\r\n", Duration.ofSeconds(5))).startsWith("HTTP/1.1 431");
            assertThat(f.backends.get(0).requestCount()).isZero();
        }
    }

    @Test
    void headerTimeoutIs408() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.headerTimeout = Duration.ofMillis(300);
            f.start();
            String resp = f.raw("GET / HTTP/1.1\r\nHost: t\r\n", Duration.ofSeconds(5));
            assertThat(resp).startsWith("HTTP/1.1 408");
        }
    }

    @Test
    void bodyLargerThanPoolLimitIs413() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.maxBody = 10;
            f.start();
            String resp = f.raw("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world", Duration.ofSeconds(5));
            assertThat(resp).startsWith("HTTP/1.1 413");
            assertThat(f.backends.get(0).requestCount()).isZero();
        }
    }

    @Test
    void pipeliningDeeperThan128RequestsEndsCleanly() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(FrontendHandler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            String resp = f.raw("GET / HTTP/1.1\r\nHost: t\r\n\r\n".repeat(200), Duration.ofSeconds(10));
            // Answers come back whole and in order until the proxy closes; nothing half-written.
            assertThat(resp).startsWith("HTTP/1.1 200 OK");
            int answered = resp.split("HTTP/1.1 200 OK", -1).length - 1;
            assertThat(answered).isBetween(1, 200);
            assertThat(resp).endsWith("alpha\n");
            assertThat(appender.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
            // The proxy is fine afterwards.
            assertThat(f.get("/").statusCode()).isEqualTo(200);
        } finally {
            logger.detachAppender(appender);
        }
    }
}
