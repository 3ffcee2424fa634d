package io.switchboard.admin;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.admin.metrics.SwitchboardCollector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /metrics}: the Prometheus text exposition format (0.0.4) of Switchboard's own metrics
 * and the JVM's ({@code jvm_*}, {@code process_*}), from a registry of this admin server's own, so
 * that two dispatchers in one JVM (tests) never share series.
 *
 * <p>The JVM's collectors are registered at the first scrape, not at start: registering them asks
 * the platform MBeans (and the native-memory diagnostic command) for their lists, about 50-70 ms of
 * CPU that the start would otherwise spend before its first proxied request.
 *
 * <p>Threading: {@link #scrape} runs on the admin worker thread; the lazy registration is guarded.
 */
final class MetricsEndpoint {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private boolean jvmRegistered;

    MetricsEndpoint(SwitchboardCollector collector) {
        registry.register(collector);
    }

    ApiResponse scrape() {
        synchronized (this) {
            if (!jvmRegistered) {
                JvmMetrics.builder().register(registry);
                jvmRegistered = true;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ApiResponse.of(200, writer.getContentType(), out.toByteArray());
    }
}
