package io.switchboard.app;

import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.Http2Config;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.NameSyntax;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.tls.SniContexts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the {@code listeners} section of the config file: each listener's address and port, mode,
 * default pool, timeouts and limits, connection guard (limits, rate limit, allow and deny lists),
 * {@code proxy-protocol}, and the keys only one mode reads; its routes, HTTP/2, TLS and TCP
 * validator are read by {@link RouteSection}, {@link Http2Section}, {@link TlsSection} and {@link
 * TcpValidateSection}. Two listeners on one port are an error. Problems name file, line and key like
 * the rest of {@link ConfigLoader}'s.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class ListenerSection {
    static final List<String> LISTENER_KEYS = List.of("name", "mode", "address", "port", "default-pool", "header-timeout",
            "client-idle-timeout", "max-request-line", "max-header-size", "max-headers", "max-connections",
            "max-connections-per-ip", "rate-limit", "allow", "deny", "min-body-rate", "body-rate-window", "routes",
            "tunnel-idle-timeout", "tls", "http2", "proxy-protocol", "splice", "validate", "sni-routes", "max-line",
            "first-words", "error-line");
    /** Listener keys that only a {@code mode: tcp} listener reads. */
    static final List<String> TCP_ONLY_LISTENER_KEYS = List.of("splice", "validate", "sni-routes", "max-line", "first-words",
            "error-line");
    static final Map<String, ListenerConfig.Splice> SPLICE_CHOICES = new TreeMap<>(Map.of(
            "auto", ListenerConfig.Splice.AUTO, "on", ListenerConfig.Splice.ON, "off", ListenerConfig.Splice.OFF));
    static final Map<String, ListenerConfig.Mode> LISTENER_MODES = new TreeMap<>(Map.of(
            "http", ListenerConfig.Mode.HTTP, "tcp", ListenerConfig.Mode.TCP)); // sorted: error messages list them in order
    /** Listener keys that only an HTTP listener reads: on a {@code mode: tcp} listener they are errors, not silently ignored. */
    static final List<String> HTTP_ONLY_LISTENER_KEYS = List.of("header-timeout", "max-request-line", "max-header-size",
            "max-headers", "rate-limit", "min-body-rate", "body-rate-window", "routes", "tunnel-idle-timeout", "tls", "http2");
    static final List<String> RATE_LIMIT_KEYS = List.of("requests-per-second", "burst");
    static final List<String> PROXY_PROTOCOL_KEYS = List.of("trusted");

    // Defaults, as documented in docs/configuration.md.
    static final String DEFAULT_LISTEN_ADDRESS = "0.0.0.0";
    static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** A TCP session's idle timeout by default: as long as a WebSocket tunnel's (sessions such as database connections idle for long). */
    static final Duration DEFAULT_TCP_IDLE_TIMEOUT = ListenerConfig.DEFAULT_TUNNEL_IDLE_TIMEOUT;
    static final int DEFAULT_MAX_REQUEST_LINE = 8192;
    static final int DEFAULT_MAX_HEADER_SIZE = 16384;

    private ListenerSection() {}

    private record Placed(ListenerConfig listener, YamlNode portNode, String path) {}

    /**
     * The listeners, in file order; none when the key is missing (the caller reports that: a director
     * with {@code dsr} needs no listener) or not a list.
     */
    static List<ListenerConfig> read(Section root, Map<String, YamlNode.Entry> poolEntries, Map<String, PoolConfig> pools,
                                     Path source) {
        Problems problems = root.problems();
        YamlNode.Entry e = root.entry("listeners");
        if (e == null) return List.of(); // reported before the pools, in key order
        YamlNode.Sequence list = root.list("listeners");
        if (list == null) return List.of();
        if (list.items().isEmpty()) {
            problems.error(e.line(), e.column(), "listeners", "at least one listener is required");
            return List.of();
        }
        List<Placed> placed = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = "listeners[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                problems.error(item, path, "expected a listener (port: ..., default-pool: ...); found " + item.kind());
                continue;
            }
            Section s = Section.open(item, path, item.line(), item.column(), problems, LISTENER_KEYS);
            String name = s.value("name", "listener-" + i, NameSyntax::parse);
            Integer first = names.putIfAbsent(name, s.has("name") ? s.entry("name").line() : item.line());
            if (first != null) {
                YamlNode at = s.has("name") ? s.entry("name").value() : item;
                problems.error(at, s.keyPath("name"), "duplicate listener name '" + name + "' (first at line " + first + ")");
            }
            ListenerConfig.Mode mode = s.choice("mode", ListenerConfig.Mode.HTTP, LISTENER_MODES);
            // validate: http hands the connection to the HTTP path, so the HTTP settings apply to it.
            boolean httpPath = mode == ListenerConfig.Mode.HTTP || s.has("validate")
                    && s.entry("validate").value() instanceof YamlNode.Scalar v && "http".equals(v.text().trim());
            if (!httpPath) refuseHttpOnlyKeys(s);
            else if (mode == ListenerConfig.Mode.HTTP) refuseTcpOnlyKeys(s);
            ListenerConfig.Splice splice = s.choice("splice", ListenerConfig.Splice.AUTO, SPLICE_CHOICES);
            String host = s.value("address", DEFAULT_LISTEN_ADDRESS, HostPortSyntax::host);
            Integer port = s.required("port", "1-65535, or 0 for any free port", v -> IntegerSyntax.parse(v, 0, 65535));
            String pool = s.required("default-pool", "the name of a pool", v -> v);
            if (pool != null && !poolEntries.containsKey(pool)) {
                YamlNode.Entry pe = s.entry("default-pool");
                String known = poolEntries.isEmpty() ? "none defined" : "pools: " + String.join(", ", poolEntries.keySet());
                problems.error(pe.value(), s.keyPath("default-pool"),
                        "no pool named '" + pool + "'" + Spelling.suggestion(pool, poolEntries.keySet()) + " (" + known + ")");
            }
            Duration headerTimeout = s.duration("header-timeout", DEFAULT_HEADER_TIMEOUT, true);
            Duration idleTimeout = s.duration("client-idle-timeout",
                    httpPath ? DEFAULT_CLIENT_IDLE_TIMEOUT : DEFAULT_TCP_IDLE_TIMEOUT, true);
            int maxLine = (int) s.size("max-request-line", DEFAULT_MAX_REQUEST_LINE, 256, 1 << 20);
            int maxHeader = (int) s.size("max-header-size", DEFAULT_MAX_HEADER_SIZE, 1 << 10, 1 << 20);
            int maxHeaders = s.integer("max-headers", ListenerConfig.DEFAULT_MAX_HEADERS, 1, 10_000);
            GuardConfig guard = readGuard(s);
            long minBodyRate = s.size("min-body-rate", ListenerConfig.DEFAULT_MIN_BODY_RATE, 0, 1L << 40);
            Duration bodyRateWindow = s.duration("body-rate-window", ListenerConfig.DEFAULT_BODY_RATE_WINDOW, true);
            Duration tunnelIdle = s.duration("tunnel-idle-timeout", ListenerConfig.DEFAULT_TUNNEL_IDLE_TIMEOUT, true);
            List<RouteConfig> routes = RouteSection.read(s, poolEntries, pools);
            Http2Config http2 = Http2Section.read(s);
            TlsConfig tls = TlsSection.read(s, source, http2.enabled() ? SniContexts.ALPN : SniContexts.ALPN_HTTP1);
            ProxyProtocolConfig proxyProtocol = readProxyProtocol(s);
            TcpValidateConfig validate = mode == ListenerConfig.Mode.TCP ? TcpValidateSection.read(s, poolEntries) : null;
            if (port == null || pool == null) continue;
            placed.add(new Placed(new ListenerConfig(name, host, port, pool, headerTimeout, idleTimeout, maxLine, maxHeader,
                    maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdle, tls, http2, proxyProtocol, splice,
                    validate), s.entry("port").value(), path));
        }
        checkPortClashes(placed, problems);
        return placed.stream().map(Placed::listener).toList();
    }

    /** A {@code mode: tcp} listener relays bytes unread: an HTTP setting on it would do nothing, so it is an error. */
    private static void refuseHttpOnlyKeys(Section s) {
        for (String key : HTTP_ONLY_LISTENER_KEYS) {
            YamlNode.Entry e = s.entry(key);
            if (e == null) continue;
            List<String> tcpKeys = LISTENER_KEYS.stream().filter(k -> !HTTP_ONLY_LISTENER_KEYS.contains(k)).toList();
            s.problems().error(e.line(), e.column(), s.keyPath(key), "applies to mode: http listeners only; this listener has"
                    + " mode: tcp (its keys: " + String.join(", ", tcpKeys) + ")");
        }
    }

    /**
     * A listener's {@code proxy-protocol: {trusted: [networks]}}: the peers that must (and the only ones
     * that may) open with a PROXY protocol header; null when absent.
     */
    private static ProxyProtocolConfig readProxyProtocol(Section listener) {
        YamlNode.Entry e = listener.entry("proxy-protocol");
        if (e == null) return null;
        Section s = listener.section("proxy-protocol", PROXY_PROTOCOL_KEYS);
        List<Cidr> trusted = cidrs(s, "trusted");
        if (trusted.isEmpty()) {
            if (s.has("trusted") || e.value() instanceof YamlNode.Mapping || e.value() instanceof YamlNode.Scalar v && v.isEmpty()) {
                YamlNode.Entry t = s.entry("trusted");
                listener.problems().error(t != null ? t.line() : e.line(), t != null ? t.column() : e.column(), s.keyPath("trusted"),
                        (t == null ? "required key is missing" : "must list at least one network")
                                + " (the addresses of the proxies in front that send PROXY headers, e.g. [10.0.0.0/8, 127.0.0.1])");
            }
            return null;
        }
        return new ProxyProtocolConfig(trusted);
    }

    /** Keys that only a {@code mode: tcp} listener reads (splice, the validator's): on an HTTP listener they would do nothing, so they are errors. */
    private static void refuseTcpOnlyKeys(Section s) {
        for (String key : TCP_ONLY_LISTENER_KEYS) {
            YamlNode.Entry e = s.entry(key);
            if (e == null) continue;
            s.problems().error(e.line(), e.column(), s.keyPath(key), "applies to mode: tcp listeners only; this listener has"
                    + " mode: http");
        }
    }

    /** Two listeners on one port clash when they share the host or either binds every address. */
    private static void checkPortClashes(List<Placed> placed, Problems problems) {
        for (int i = 0; i < placed.size(); i++) {
            ListenerConfig b = placed.get(i).listener();
            if (b.port() == 0) continue;
            for (int j = 0; j < i; j++) {
                ListenerConfig a = placed.get(j).listener();
                if (a.port() == b.port() && (a.host().equals(b.host()) || wildcard(a.host()) || wildcard(b.host()))) {
                    problems.error(placed.get(i).portNode(), placed.get(i).path() + ".port", "port " + b.port()
                            + " is already used by listener '" + a.name() + "' on " + a.address()
                            + " (line " + placed.get(j).portNode().line() + ")");
                    break;
                }
            }
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** Connection limits, the rate limit and the address lists of one listener (seed 004). */
    private static GuardConfig readGuard(Section s) {
        Problems problems = s.problems();
        int maxConnections = s.integer("max-connections", 0, 0, 10_000_000);
        int maxPerIp = s.integer("max-connections-per-ip", 0, 0, 10_000_000);
        if (maxConnections > 0 && maxPerIp > maxConnections) {
            YamlNode.Entry e = s.entry("max-connections-per-ip");
            problems.warn(e.line(), e.column(), s.keyPath("max-connections-per-ip"), "max-connections-per-ip " + maxPerIp
                    + " is more than max-connections " + maxConnections + ", so it never applies");
        }
        double rate = 0;
        int burst = 0;
        YamlNode.Entry rateEntry = s.entry("rate-limit");
        if (rateEntry != null) {
            Section r = s.section("rate-limit", RATE_LIMIT_KEYS); // reports a value or list where a mapping belongs
            boolean mapping = rateEntry.value() instanceof YamlNode.Mapping
                    || rateEntry.value() instanceof YamlNode.Scalar empty && empty.isEmpty();
            if (mapping) {
                Double rps = r.required("requests-per-second", "requests per second per client, e.g. 10 or 0.5",
                        ListenerSection::requestRate);
                burst = r.integer("burst", rps == null ? 1 : GuardConfig.defaultBurst(rps), 1, 1_000_000);
                if (rps != null) rate = rps;
            }
        }
        List<Cidr> allow = cidrs(s, "allow");
        List<Cidr> deny = cidrs(s, "deny");
        if (!allow.isEmpty() && !deny.isEmpty()) {
            for (Cidr d : deny) {
                if (allow.contains(d)) {
                    YamlNode.Entry e = s.entry("deny");
                    problems.warn(e.line(), e.column(), s.keyPath("deny"), d + " is in both allow and deny; deny wins");
                }
            }
        }
        return new GuardConfig(maxConnections, maxPerIp, rate, burst, allow, deny);
    }

    private static double requestRate(String s) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number (allowed: more than 0 up to 1000000, e.g. 10 or 0.5)");
        }
        if (!(v > 0) || v > 1_000_000) throw new IllegalArgumentException(s + " is out of range (allowed: more than 0 up to 1000000)");
        return v;
    }

    /** A list of networks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses. */
    private static List<Cidr> cidrs(Section s, String key) {
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list(key);
        List<Cidr> out = new ArrayList<>();
        if (list == null) return out;
        Map<Cidr, Integer> first = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath(key) + "[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue; // already reported
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected an address or network (e.g. 10.0.0.0/8 or 2001:db8::/32); found " + item.kind());
                continue;
            }
            try {
                Cidr c = Cidr.parse(sc.text());
                Integer line = first.putIfAbsent(c, item.line());
                if (line != null) {
                    problems.warn(item, path, c + " is listed twice (first at line " + line + ")");
                    continue;
                }
                out.add(c);
            } catch (IllegalArgumentException e) {
                problems.error(item, path, e.getMessage());
            }
        }
        return out;
    }
}
