package io.switchboard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration. Produced by the app's YAML loader, consumed by the proxy.
 *
 * @param source the file it came from, or null for an embedded config
 * @param eventLoops 0 means one per core
 * @param transport "auto", "epoll" or "nio"
 * @param accessLog "stdout", "off" or a file path
 */
public record SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                                int eventLoops, String transport, Duration shutdownGrace, String accessLog) {
    public SwitchboardConfig {
        listeners = List.copyOf(listeners);
        pools = Map.copyOf(pools);
    }
}
