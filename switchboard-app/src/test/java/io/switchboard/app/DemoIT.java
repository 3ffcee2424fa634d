package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.HealthCheckConfig;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's wiring in-process: three real back ends, the dispatcher in front, real HTTP on 127.0.0.1. */
class DemoIT {
    @Test
    void thirtyRequestsReachAllThreeBackEndsEvenly() throws Exception {
        try (Demo demo = Demo.start(new Demo.Options(0, 3, 0, 0.0, "round-robin", "off", 0, "combined"));
             HttpTestClient client = new HttpTestClient()) {
            Map<String, Integer> counts = client.distribution(demo.address(), 30);
            assertThat(counts).containsOnlyKeys("alpha", "bravo", "charlie");
            // round robin over three healthy back ends; a bound, not an exact split, so a probe's timing cannot fail it
            assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(5, 15));
            assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
        }
    }

    @Test
    void answersCarryTheBackEndAndHealthIsServed() throws Exception {
        try (Demo demo = Demo.start(new Demo.Options(0, 2, 0, 0.0, "least-conn", "off", 0, "combined"));
             HttpTestClient client = new HttpTestClient()) {
            HttpResponse<String> r = client.get(demo.address(), "/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Backend")).hasValue(r.body().strip());
            assertThat(r.body().strip()).isIn("alpha", "bravo");
            assertThat(demo.switchboard().pools().get("demo").algorithm().name()).isEqualTo("least-conn");
            HealthCheckConfig health = demo.switchboard().config().pools().get("demo").health();
            assertThat(health.type()).isEqualTo(HealthCheckConfig.Type.HTTP);
            assertThat(health.path()).isEqualTo("/health");
        }
    }

    @Test
    void instructionsUseTheBoundPort() throws Exception {
        try (Demo demo = Demo.start(new Demo.Options(0, 3, 0, 0.0, "round-robin", "off", 0, "combined"))) {
            int port = demo.address().getPort();
            assertThat(port).isPositive();
            assertThat(demo.instructions()).contains(
                    "curl -s http://127.0.0.1:" + port + "/",
                    "for i in $(seq 30); do curl -s http://127.0.0.1:" + port + "/; done | sort | uniq -c",
                    "(alpha, bravo, charlie)");
        }
    }

    @Test
    void onlyTheFailingBackEndFailsAndOnlyTheSlowOneIsSlow() throws Exception {
        var options = new Demo.Options(0, 3, 0, 0.0, "round-robin", "off", 0, "combined",
                List.of("bravo"), Map.of("charlie", Duration.ofHours(1)));
        try (Demo demo = Demo.start(options); HttpTestClient client = new HttpTestClient()) {
            DemoBackend alpha = demo.backends().get(0);
            DemoBackend bravo = demo.backends().get(1);
            DemoBackend charlie = demo.backends().get(2);
            // straight to the back ends, so that neither health checks nor retries hide who answers what
            assertThat(client.get(at(bravo), "/").statusCode()).as("every request, without --failure-rate").isEqualTo(500);
            assertThat(client.get(at(bravo), "/health").statusCode()).as("so that health checks take it down").isEqualTo(503);
            for (int i = 0; i < 10; i++) assertThat(client.get(at(alpha), "/").statusCode()).isEqualTo(200);
            assertThat(client.get(at(alpha), "/health").statusCode()).isEqualTo(200);

            try (Socket slow = new Socket("127.0.0.1", charlie.port())) {
                OutputStream out = slow.getOutputStream();
                out.write("GET /slow-probe HTTP/1.1\r\nHost: charlie\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 500 && !received(charlie, "/slow-probe"); i++) Thread.sleep(10);
                assertThat(received(charlie, "/slow-probe")).isTrue();
                assertThat(client.get(at(alpha), "/").body()).isEqualTo("alpha\n");
                InputStream in = slow.getInputStream();
                assertThat(in.available()).as("charlie waits an hour; alpha, asked after it, has answered").isZero();
            }
            assertThat(demo.instructions()).contains(
                    "bravo fails (500 to every request, 503 to health checks): watch its state go down in the dashboard at http://127.0.0.1:",
                    "charlie answers after 1h, beyond the health checks' 1s timeout: watch its state go down in the dashboard at http://127.0.0.1:");
        }
    }

    @Test
    void withAFailureRateOnlyTheFailingBackEndFailsThatOften() throws Exception {
        var options = new Demo.Options(0, 3, 0, 0.5, "round-robin", "off", 0, "combined",
                List.of("bravo"), Map.of("charlie", Duration.ofMillis(300)));
        try (Demo demo = Demo.start(options); HttpTestClient client = new HttpTestClient()) {
            DemoBackend alpha = demo.backends().get(0);
            DemoBackend bravo = demo.backends().get(1);
            for (int i = 0; i < 20; i++) assertThat(client.get(at(alpha), "/").statusCode()).as("alpha is not named").isEqualTo(200);
            assertThat(client.get(at(bravo), "/health").statusCode()).as("only a fraction fails: health checks pass").isEqualTo(200);
            assertThat(demo.instructions()).contains(
                    "bravo fails 50% of requests with 500: watch its 5xx count in the dashboard at http://127.0.0.1:",
                    "charlie answers after 300ms: watch its p99 in the dashboard at http://127.0.0.1:");
        }
    }

    private static boolean received(DemoBackend b, String target) {
        return b.requests().stream().anyMatch(r -> r.uri().equals(target));
    }

    private static InetSocketAddress at(DemoBackend b) {
        return new InetSocketAddress("127.0.0.1", b.port());
    }
}
