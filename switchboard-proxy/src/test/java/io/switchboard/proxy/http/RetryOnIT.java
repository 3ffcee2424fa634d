package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.RetryOn;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pool's {@code retry-on}: one back end answers 503 to everything (or never answers), the other
 * 200. Round robin sends every other request to the bad one.
 */
class RetryOnIT {
    private static RawServer answering503() throws Exception {
        return RawServer.answering(socket -> {
            RawServer.readHead(socket);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        });
    }

    private static List<Integer> statuses(ProxyFixture f, String method, int requests) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpRequest req = HttpRequest.newBuilder(f.uri("/r" + i)).timeout(Duration.ofSeconds(20))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            out.add(f.client().send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        return out;
    }

    private static ProxyFixture start(ProxyFixture f, RawServer bad) throws Exception {
        f.backends("good");
        f.passive = new PassiveHealthConfig(100, true, Duration.ofSeconds(30), Duration.ofSeconds(60));
        return f.start(List.of(new ServerConfig("bad", "127.0.0.1", bad.port(), 1, null), f.server(f.backends.get(0), 1)));
    }

    @Test
    void withRetryOn503TheClientGetsTheOtherBackEndsAnswer() throws Exception {
        try (RawServer bad = answering503(); ProxyFixture f = new ProxyFixture()) {
            f.retryOn = EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.STATUS_503);
            start(f, bad);
            assertThat(statuses(f, "GET", 4)).containsOnly(200);
            assertThat(bad.accepted()).as("the 503 back end was asked").isPositive();
            assertThat(f.backends.get(0).requestCount()).isEqualTo(4);
        }
    }

    @Test
    void byDefaultA503IsRelayed() throws Exception {
        try (RawServer bad = answering503(); ProxyFixture f = new ProxyFixture()) {
            start(f, bad);
            assertThat(statuses(f, "GET", 4)).contains(503).contains(200);
        }
    }

    @Test
    void aPostIsNeverRetriedOnA503() throws Exception {
        try (RawServer bad = answering503(); ProxyFixture f = new ProxyFixture()) {
            f.retryOn = EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.STATUS_503);
            start(f, bad);
            List<Integer> got = statuses(f, "POST", 4);
            assertThat(got).contains(503).contains(200);
            assertThat(f.backends.get(0).requestCount()).as("no POST went to a second back end").isEqualTo(got.stream().filter(s -> s == 200).count());
        }
    }

    @Test
    void withRetryOnResponseTimeoutASilentBackEndIsNotA504() throws Exception {
        try (RawServer bad = RawServer.silent(); ProxyFixture f = new ProxyFixture()) {
            f.responseTimeout = Duration.ofMillis(300);
            f.retryOn = EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.RESPONSE_TIMEOUT);
            start(f, bad);
            assertThat(statuses(f, "GET", 2)).containsOnly(200);
        }
    }

    /**
     * When every back end tried failed and none is left, the client gets what the last failure means
     * (HAProxy and NGINX answer 502 for a server that closed without a response, 504 for one that did
     * not answer in time), not 503, which stays for back ends that could not be reached.
     */
    @Test
    void whenNoBackEndIsLeftToTryTheAnswerIsTheLastFailures() throws Exception {
        try (RawServer closing = RawServer.answering(RawServer::readHead); ProxyFixture f = new ProxyFixture()) {
            f.start(List.of(new ServerConfig("closing", "127.0.0.1", closing.port(), 1, null)));
            assertThat(statuses(f, "GET", 2)).as("closed after the request, retried (empty-response), none left").containsOnly(502);
            assertThat(closing.accepted()).isEqualTo(2);
        }
        try (RawServer silent = RawServer.silent(); ProxyFixture f = new ProxyFixture()) {
            f.responseTimeout = Duration.ofMillis(300);
            f.retryOn = EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.RESPONSE_TIMEOUT);
            f.start(List.of(new ServerConfig("silent", "127.0.0.1", silent.port(), 1, null)));
            assertThat(statuses(f, "GET", 1)).as("timed out, retried (response-timeout), none left").containsOnly(504);
        }
        try (ProxyFixture f = new ProxyFixture()) {
            f.start(List.of(new ServerConfig("nothing", "127.0.0.1", RawServer.closedPort(), 1, null)));
            assertThat(statuses(f, "GET", 1)).as("could not be reached").containsOnly(503);
        }
    }

    @Test
    void byDefaultASilentBackEndIsA504() throws Exception {
        try (RawServer bad = RawServer.silent(); ProxyFixture f = new ProxyFixture()) {
            f.responseTimeout = Duration.ofMillis(300);
            start(f, bad);
            assertThat(statuses(f, "GET", 2)).contains(504);
        }
    }
}
