package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Scrapes /metrics of a live admin listener and parses it strictly. */
class MetricsIT {
    @Test
    void scrapeParsesAndCountsWhatHappened() throws Exception {
        try (AdminFixture f = new AdminFixture().start()) {
            for (int i = 0; i < 9; i++) assertThat(f.proxyGet("/").statusCode()).isEqualTo(200);
            for (int i = 0; i < 3; i++) assertThat(f.proxyGet("/other").statusCode()).isEqualTo(200);
            f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"drain\",\"weight\":3}", AdminFixture.TOKEN);
            f.backend("alpha").setFailureRate(1.0);
            for (int i = 0; i < 4; i++) f.proxyGet("/"); // alternates alpha and bravo: two 500s from alpha

            HttpResponse<String> r = f.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            PrometheusText m = PrometheusText.parse(r.body());

            assertThat(m.family("switchboard_requests_total").type()).isEqualTo("counter");
            double ok = 0;
            for (String b : new String[] {"alpha", "bravo", "charlie"}) {
                ok += m.value("switchboard_requests_total", "pool", "demo", "backend", b, "status_class", "2xx");
            }
            assertThat(ok).isEqualTo(14);
            assertThat(m.value("switchboard_requests_total", "pool", "demo", "backend", "alpha", "status_class", "5xx")).isEqualTo(2);

            assertThat(m.family("switchboard_request_duration_seconds").type()).isEqualTo("histogram");
            double count = 0;
            for (String b : new String[] {"alpha", "bravo", "charlie"}) {
                count += m.value("switchboard_request_duration_seconds_count", "pool", "demo", "backend", b);
            }
            assertThat(count).isEqualTo(16);
            assertThat(m.value("switchboard_request_duration_seconds_bucket", "pool", "demo", "backend", "bravo", "le", "+Inf"))
                    .isEqualTo(m.value("switchboard_request_duration_seconds_count", "pool", "demo", "backend", "bravo"));

            assertThat(m.value("switchboard_backend_state", "pool", "demo", "backend", "charlie", "state", "drain")).isEqualTo(1);
            assertThat(m.value("switchboard_backend_state", "pool", "demo", "backend", "charlie", "state", "up")).isZero();
            assertThat(m.value("switchboard_backend_weight", "pool", "demo", "backend", "charlie")).isEqualTo(3);
            assertThat(m.value("switchboard_backend_effective_weight", "pool", "demo", "backend", "charlie")).isZero();
            assertThat(m.value("switchboard_backend_in_flight", "pool", "demo", "backend", "alpha")).isZero();
            assertThat(m.value("switchboard_pool_eligible_backends", "pool", "demo")).isEqualTo(2);
            assertThat(m.value("switchboard_pool_backends", "pool", "demo")).isEqualTo(3);
            assertThat(m.value("switchboard_pool_queue_length", "pool", "demo")).isZero();
            assertThat(m.value("switchboard_backend_response_bytes_total", "pool", "demo", "backend", "bravo")).isPositive();
            assertThat(m.family("switchboard_backend_request_bytes_total").type()).isEqualTo("counter");
            assertThat(m.value("switchboard_backend_failures_total", "pool", "demo", "backend", "alpha")).isPositive();
            assertThat(m.family("switchboard_retries_total").type()).isEqualTo("counter");
            assertThat(m.family("switchboard_backend_ejections_total").type()).isEqualTo("counter");
            assertThat(m.family("switchboard_access_log_queue_length").type()).isEqualTo("gauge");
            assertThat(m.family("switchboard_netty_allocator_used_bytes").type()).isEqualTo("gauge");
            assertThat(m.value("switchboard_netty_allocator_arenas", "memory", "direct")).isPositive();
            assertThat(m.family("jvm_memory_used_bytes").type()).isEqualTo("gauge");
            assertThat(m.family("jvm_threads_current").type()).isEqualTo("gauge");
            for (PrometheusText.Family fam : m.families.values()) {
                assertThat(fam.help()).as("HELP of " + fam.name()).isNotBlank();
            }
        }
    }

    @Test
    void theParserIsStrict() {
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a_total counter\na_total{x=\"1} 1\n")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\na 1\n")).hasMessageContaining("_total");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\nb 1\na 2\n")).hasMessageContaining("not together");
        assertThatThrownBy(() -> PrometheusText.parse("a{x=\"\\t\"} 1\n")).hasMessageContaining("bad escape");
        assertThatThrownBy(() -> PrometheusText.parse("a 1,5\n")).hasMessageContaining("bad number");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\na 2\n")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                + "h_count 1\nh_sum 0.5\n")).hasMessageContaining("cumulative");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n"))
                .hasMessageContaining("+Inf");
        assertThatThrownBy(() -> PrometheusText.parse("a 1")).hasMessageContaining("newline");
        assertThat(PrometheusText.parse("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\"} 1.5e3\n")
                .value("a_total", "x", "q\"")).isEqualTo(1500);
    }
}
