package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.HealthCheckConfig;
import java.net.http.HttpResponse;
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
}
