package io.switchboard.proxy.tcp;

import io.switchboard.config.TcpValidateConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pool for a TLS server name: an exact name first, then the longest matching wildcard
 * ({@code *.example.com} matches {@code a.example.com} and {@code a.b.example.com}, not {@code example.com}),
 * else the default pool. Lookups walk the name's dots, so they cost a few hash probes whatever the number
 * of routes. The first route to name a host wins.
 *
 * <p>Threading: immutable after construction; safe from any thread.
 */
final class SniRoutes {
    private final Map<String, String> exact = new HashMap<>();
    /** Suffix without the {@code *} (".example.com") -> pool. */
    private final Map<String, String> wildcard = new HashMap<>();
    private final String defaultPool;

    SniRoutes(List<TcpValidateConfig.SniRoute> routes, String defaultPool) {
        this.defaultPool = defaultPool;
        for (TcpValidateConfig.SniRoute r : routes) {
            for (String n : r.names()) {
                String name = n.toLowerCase(Locale.ROOT);
                if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
                if (name.startsWith("*.")) wildcard.putIfAbsent(name.substring(1), r.pool());
                else exact.putIfAbsent(name, r.pool());
            }
        }
    }

    /** The pool for {@code serverName} (lower case, as {@link ClientHello} gives it; null: none sent). */
    String pool(String serverName) {
        if (serverName == null) return defaultPool;
        String p = exact.get(serverName);
        if (p != null) return p;
        for (int dot = serverName.indexOf('.'); dot >= 0; dot = serverName.indexOf('.', dot + 1)) {
            p = wildcard.get(serverName.substring(dot));
            if (p != null) return p;
        }
        return defaultPool;
    }
}
