package io.switchboard.config;

import java.time.Duration;

/**
 * A listener's HTTP/2 settings: whether it speaks HTTP/2 at all ({@code h2} by ALPN on TLS listeners,
 * {@code h2c} with prior knowledge on plain-text ones), what it advertises in its SETTINGS, and the
 * limits that protect it from clients that abuse the protocol's cheap frames.
 *
 * @param enabled              false: HTTP/1.x only (ALPN offers only {@code http/1.1}; a plain-text
 *                             connection preface is refused like any bad request)
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once;
 *                             more are refused with RST_STREAM(REFUSED_STREAM)
 * @param initialWindowSize    SETTINGS_INITIAL_WINDOW_SIZE: bytes of request body a client may send on
 *                             a stream before we return credit (we return it as the back end takes them)
 * @param maxResets            streams a client may reset within {@code resetWindow} before the connection
 *                             is closed with GOAWAY(ENHANCE_YOUR_CALM): rapid reset, CVE-2023-44487
 * @param resetWindow          the window of {@code maxResets}
 * @param maxControlFrames     PING and SETTINGS frames, and DATA or HEADERS frames that carry nothing,
 *                             a client may send within {@code resetWindow} before GOAWAY(ENHANCE_YOUR_CALM)
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams, int initialWindowSize, int maxResets,
                          Duration resetWindow, int maxControlFrames) {
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    public static final int DEFAULT_INITIAL_WINDOW_SIZE = 65_535;
    public static final int DEFAULT_MAX_RESETS = 200;
    public static final Duration DEFAULT_RESET_WINDOW = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONTROL_FRAMES = 1_000;
    /** The largest flow-control window HTTP/2 allows (RFC 9113 section 6.9.1). */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    /** HTTP/2 on, with the defaults. */
    public static final Http2Config DEFAULT = new Http2Config(true, DEFAULT_MAX_CONCURRENT_STREAMS,
            DEFAULT_INITIAL_WINDOW_SIZE, DEFAULT_MAX_RESETS, DEFAULT_RESET_WINDOW, DEFAULT_MAX_CONTROL_FRAMES);
    /** HTTP/1.x only. */
    public static final Http2Config DISABLED = new Http2Config(false, DEFAULT_MAX_CONCURRENT_STREAMS,
            DEFAULT_INITIAL_WINDOW_SIZE, DEFAULT_MAX_RESETS, DEFAULT_RESET_WINDOW, DEFAULT_MAX_CONTROL_FRAMES);

    public Http2Config {
        if (maxConcurrentStreams < 1) throw new IllegalArgumentException("maxConcurrentStreams must be at least 1");
        if (initialWindowSize < 1) throw new IllegalArgumentException("initialWindowSize must be at least 1");
        if (maxResets < 1) throw new IllegalArgumentException("maxResets must be at least 1");
        if (resetWindow == null || resetWindow.toSeconds() < 1) throw new IllegalArgumentException("resetWindow must be at least 1 s");
        if (maxControlFrames < 1) throw new IllegalArgumentException("maxControlFrames must be at least 1");
    }
}
