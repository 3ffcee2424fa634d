package io.switchboard.config;

import io.switchboard.load.ReportCodec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The balancer's receiver of pushed load reports ({@code load-reports:} at the top of the file): a
 * UDP socket, the key the agents' HMAC-SHA256 is checked with, and how old a report may be before
 * readers ignore it. The receiver is only started when some pool has {@code load-feedback: push}.
 *
 * @param host      the address to bind
 * @param port      the UDP port (0: any free port, tests)
 * @param key       the shared key, at least 16 bytes
 * @param keySource where the key came from ({@code load-reports.key-file /path}, an environment
 *                  variable), for messages; never the key itself
 * @param maxAge    a report older than this (by the balancer's receive clock) is "no data" to its
 *                  readers; it is also the replay guard's clock window
 */
public record LoadReportsConfig(String host, int port, byte[] key, String keySource, Duration maxAge) {
    public static final int DEFAULT_PORT = 7946;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(3);
    public static final int MIN_KEY_BYTES = ReportCodec.MIN_KEY_BYTES;

    public LoadReportsConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(key, "key");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " out of range 0-65535");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the key has " + key.length + " bytes; at least " + MIN_KEY_BYTES + " are needed");
        }
        key = key.clone();
        if (maxAge == null) maxAge = DEFAULT_MAX_AGE;
        if (maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("max-age must be positive");
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadReportsConfig c && host.equals(c.host) && port == c.port && Arrays.equals(key, c.key)
                && Objects.equals(keySource, c.keySource) && maxAge.equals(c.maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, Arrays.hashCode(key), maxAge);
    }

    @Override
    public String toString() {
        return "LoadReportsConfig[" + host + ":" + port + ", key from " + keySource + ", max-age " + maxAge + "]";
    }
}
