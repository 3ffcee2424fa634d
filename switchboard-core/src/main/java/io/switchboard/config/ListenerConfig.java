package io.switchboard.config;

import java.time.Duration;

/**
 * One front-end address.
 *
 * @param headerTimeout time allowed to receive a complete request head (slowloris guard): 408
 * @param clientIdleTimeout keep-alive idle time between requests before the connection is closed
 */
public record ListenerConfig(String name, String host, int port, String defaultPool,
                             Duration headerTimeout, Duration clientIdleTimeout,
                             int maxInitialLineLength, int maxHeaderSize) {
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
