package io.switchboard.app;

import io.switchboard.config.Http2Config;
import io.switchboard.config.DurationSyntax;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Reads a listener's {@code http2} section: whether the listener speaks HTTP/2 ({@code h2} by ALPN on a
 * TLS listener, {@code h2c} with prior knowledge on a plain one) and the limits that bound what a client
 * can make it do. {@code http2: false} (or {@code true}) is short for {@code http2: {enabled: ...}}.
 * Problems name file, line and key like {@link PoolSection}'s.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class Http2Section {
    static final List<String> KEYS = List.of("enabled", "max-concurrent-streams", "initial-window-size", "max-resets",
            "reset-window", "max-control-frames");

    /** Netty counts resets in whole seconds of an int; an hour is longer than anyone needs. */
    static final Duration MAX_RESET_WINDOW = Duration.ofHours(1);

    private Http2Section() {}

    /** The listener's HTTP/2 settings: the defaults when it has none or when they are wrong (errors are recorded). */
    static Http2Config read(Section listener) {
        YamlNode.Entry e = listener.entry("http2");
        if (e == null) return Http2Config.DEFAULT;
        if (e.value() instanceof YamlNode.Scalar v && !v.isEmpty() && !v.broken()) {
            return switch (v.text().toLowerCase(Locale.ROOT)) {
                case "true" -> Http2Config.DEFAULT;
                case "false" -> Http2Config.DISABLED;
                default -> {
                    listener.problems().error(v, listener.keyPath("http2"), "'" + v.text() + "' is neither true, false nor a mapping of "
                            + String.join(", ", KEYS));
                    yield Http2Config.DEFAULT;
                }
            };
        }
        Section s = listener.section("http2", KEYS);
        boolean enabled = s.bool("enabled", true);
        int streams = s.integer("max-concurrent-streams", Http2Config.DEFAULT_MAX_CONCURRENT_STREAMS, 1, 10_000);
        int window = (int) s.size("initial-window-size", Http2Config.DEFAULT_INITIAL_WINDOW_SIZE, 1, Http2Config.MAX_WINDOW);
        int resets = s.integer("max-resets", Http2Config.DEFAULT_MAX_RESETS, 1, 1_000_000);
        Duration resetWindow = s.value("reset-window", Http2Config.DEFAULT_RESET_WINDOW, v -> {
            Duration d = DurationSyntax.parse(v);
            if (d.toSeconds() < 1 || d.compareTo(MAX_RESET_WINDOW) > 0) {
                throw new IllegalArgumentException("'" + v + "' is out of range (allowed: 1s-1h)");
            }
            return d;
        });
        int controlFrames = s.integer("max-control-frames", Http2Config.DEFAULT_MAX_CONTROL_FRAMES, 1, 1_000_000);
        return new Http2Config(enabled, streams, window, resets, resetWindow, controlFrames);
    }
}
