package io.switchboard.app;

import io.switchboard.config.AdminState;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SizeSyntax;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TcpValidateConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The words the dispatcher's log uses for a config: a pool's start-up line, and what a reload
 * changes (a pool's servers, the listeners, the settings that apply to new connections only). A
 * listener change that is not null is also why {@link Switchboard#reload} refuses a config.
 *
 * <p>Pure functions of the configs; {@link Switchboard} logs what they return under its own name.
 * Threading: stateless; safe from any thread.
 */
final class ConfigLog {
    private ConfigLog() {}

    /** How many servers a pool's start-up line names; the rest are counted (a pool of 10,000 made a 300 kB line). */
    static final int DESCRIBED_SERVERS = 10;

    /** "3 servers (alpha 127.0.0.1:40001, ...), health http GET /health every 2s"; past 10 servers, "... and 9,990 more". */
    static String describe(PoolConfig pc) {
        StringBuilder sb = new StringBuilder(LoadedConfig.count(pc.servers().size(), "server"));
        if (!pc.servers().isEmpty()) {
            sb.append(" (");
            int shown = Math.min(pc.servers().size(), DESCRIBED_SERVERS);
            for (int i = 0; i < shown; i++) {
                var s = pc.servers().get(i);
                if (i > 0) sb.append(", ");
                sb.append(s.name()).append(' ').append(s.address());
                if (s.weight() != 1) sb.append(" weight ").append(s.weight());
                if (s.state() != AdminState.READY) sb.append(' ').append(s.state().label());
            }
            if (shown < pc.servers().size()) sb.append(" and ").append(pc.servers().size() - shown).append(" more");
            sb.append(')');
        }
        HealthCheckConfig h = pc.health();
        sb.append(", health ");
        switch (h.type()) {
            case NONE -> sb.append("off");
            case TCP -> sb.append("tcp every ").append(DurationSyntax.format(h.interval()));
            case HTTP -> sb.append("http ").append(h.method()).append(' ').append(h.path()).append(" every ")
                    .append(DurationSyntax.format(h.interval()));
        }
        if (pc.passive().enabled()) {
            sb.append(", eject after ").append(pc.passive().consecutiveFailures()).append(" failures");
        }
        return sb.toString();
    }

    /**
     * What a reload changes in a pool's servers, for the log ("added c; removed b; a weight 1 -> 0"):
     * state changes are logged by the pool's transitions, weight changes would otherwise go unseen.
     * Null when nothing changed.
     */
    static String serverChanges(PoolConfig before, PoolConfig after) {
        List<ServerConfig> a = before.servers();
        List<ServerConfig> b = after.servers();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        // A reload usually keeps the servers in their order: compare them position by position, and
        // look names up only from where the two lists stop lining up.
        int i = 0;
        int common = Math.min(a.size(), b.size());
        while (i < common && a.get(i).name().equals(b.get(i).name())) {
            describeChange(a.get(i), b.get(i), changed);
            i++;
        }
        Map<String, ServerConfig> old = new LinkedHashMap<>();
        for (int j = i; j < a.size(); j++) old.put(a.get(j).name(), a.get(j));
        for (int j = i; j < b.size(); j++) {
            ServerConfig s = b.get(j);
            ServerConfig o = old.remove(s.name());
            if (o == null) {
                added.add(s.name());
            } else {
                describeChange(o, s, changed);
            }
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) parts.add("added " + String.join(", ", added));
        if (!old.isEmpty()) parts.add("removed " + String.join(", ", old.keySet()));
        if (!changed.isEmpty()) parts.add(String.join("; ", changed));
        return parts.isEmpty() ? null : "servers " + String.join("; ", parts);
    }

    /** Adds "name what changed" to {@code changed}; formats nothing for a server that did not change. */
    private static void describeChange(ServerConfig o, ServerConfig s, List<String> changed) {
        if (o.equals(s)) return;
        List<String> what = new ArrayList<>();
        if (!o.host().equals(s.host()) || o.port() != s.port()) what.add("address " + o.address() + " -> " + s.address());
        if (o.weight() != s.weight()) what.add("weight " + o.weight() + " -> " + s.weight());
        if (o.state() != s.state()) what.add("state " + o.state().label() + " -> " + s.state().label());
        if (!o.tags().equals(s.tags())) what.add("tags " + new TreeSet<>(o.tags()) + " -> " + new TreeSet<>(s.tags()));
        if (o.sendProxy() != s.sendProxy()) what.add(("send-proxy " + o.sendProxy() + " -> " + s.sendProxy()).toLowerCase(Locale.ROOT));
        if (!what.isEmpty()) changed.add(s.name() + " " + String.join(", ", what));
    }

    /**
     * Null when both configs have the same listeners; otherwise what differs, for people. Any change
     * counts, not only the socket: the proxy sets up each listener's pipeline (limits, timeouts,
     * default pool) once, when it binds.
     */
    static String listenerChange(SwitchboardConfig before, SwitchboardConfig after) {
        Map<String, ListenerConfig> a = byName(before);
        Map<String, ListenerConfig> b = byName(after);
        List<String> tlsSwitched = tlsSwitched(before, after);
        if (a.equals(b) && tlsSwitched.isEmpty()) return null;
        List<String> parts = new ArrayList<>(tlsSwitched);
        b.forEach((name, l) -> {
            ListenerConfig o = a.get(name);
            if (o == null) {
                parts.add("added '" + name + "' on " + l.address());
            } else if (!o.address().equals(l.address())) {
                parts.add("moved '" + name + "' from " + o.address() + " to " + l.address());
            } else if (!o.equals(l)) {
                parts.add("changed '" + name + "' " + String.join(", ", settingChanges(o, l)));
            }
        });
        a.forEach((name, l) -> {
            if (!b.containsKey(name)) parts.add("removed '" + name + "' on " + l.address());
        });
        return "listeners changed (" + String.join("; ", parts) + ")";
    }

    private static List<String> settingChanges(ListenerConfig o, ListenerConfig l) {
        List<String> what = new ArrayList<>();
        if (o.mode() != l.mode()) what.add(("mode " + o.mode() + " -> " + l.mode()).toLowerCase(Locale.ROOT));
        else if (o.servesHttp() != l.servesHttp()) {
            // validate: http puts the HTTP front end on the socket; the other validators the TCP one
            what.add("validate " + (o.servesHttp() ? "http -> " + l.validate().kind() : o.validate().kind() + " -> http").toLowerCase(Locale.ROOT));
        }
        if (!o.defaultPool().equals(l.defaultPool())) what.add("default-pool " + o.defaultPool() + " -> " + l.defaultPool());
        if (!o.headerTimeout().equals(l.headerTimeout())) {
            what.add("header-timeout " + DurationSyntax.format(o.headerTimeout()) + " -> " + DurationSyntax.format(l.headerTimeout()));
        }
        if (!o.clientIdleTimeout().equals(l.clientIdleTimeout())) {
            what.add("client-idle-timeout " + DurationSyntax.format(o.clientIdleTimeout()) + " -> "
                    + DurationSyntax.format(l.clientIdleTimeout()));
        }
        if (o.maxInitialLineLength() != l.maxInitialLineLength()) {
            what.add("max-request-line " + SizeSyntax.format(o.maxInitialLineLength()) + " -> " + SizeSyntax.format(l.maxInitialLineLength()));
        }
        if (o.maxHeaderSize() != l.maxHeaderSize()) {
            what.add("max-header-size " + SizeSyntax.format(o.maxHeaderSize()) + " -> " + SizeSyntax.format(l.maxHeaderSize()));
        }
        if (o.maxHeaders() != l.maxHeaders()) what.add("max-headers " + o.maxHeaders() + " -> " + l.maxHeaders());
        GuardConfig og = o.guard();
        GuardConfig ng = l.guard();
        if (og.maxConnections() != ng.maxConnections()) what.add("max-connections " + og.maxConnections() + " -> " + ng.maxConnections());
        if (og.maxConnectionsPerIp() != ng.maxConnectionsPerIp()) {
            what.add("max-connections-per-ip " + og.maxConnectionsPerIp() + " -> " + ng.maxConnectionsPerIp());
        }
        if (og.requestsPerSecond() != ng.requestsPerSecond() || og.burst() != ng.burst()) what.add("rate-limit");
        if (!og.allow().equals(ng.allow())) what.add("allow");
        if (!og.deny().equals(ng.deny())) what.add("deny");
        return what;
    }

    private static Map<String, ListenerConfig> byName(SwitchboardConfig c) {
        Map<String, ListenerConfig> m = new LinkedHashMap<>();
        // routes and TLS settings change without a rebind (TLS: for handshakes after the reload), and so
        // do proxy-protocol, splice and validate (for connections accepted after it)
        for (ListenerConfig l : c.listeners()) {
            // ... except validate: http, which puts the HTTP front end on the socket instead of the TCP one
            TcpValidateConfig kept = l.validate() != null && l.validate().kind() == TcpValidateConfig.Kind.HTTP ? l.validate() : null;
            m.put(l.name(), l.withRoutes(List.of()).withTls(null).withProxyProtocol(null).withSplice(null).withValidate(kept));
        }
        return m;
    }
    /**
     * The listener settings a reload applies to new connections only (open ones keep theirs), for the
     * log: listener name and what changed ("proxy-protocol, splice"), in the new config's order.
     */
    static List<Map.Entry<String, String>> connectionSettingChanges(SwitchboardConfig before, SwitchboardConfig after) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (ListenerConfig l : after.listeners()) {
            for (ListenerConfig o : before.listeners()) {
                if (!o.name().equals(l.name())) continue;
                List<String> what = new ArrayList<>();
                if (!Objects.equals(o.proxyProtocol(), l.proxyProtocol())) what.add("proxy-protocol");
                if (o.splice() != l.splice()) what.add("splice");
                if (!o.validate().equals(l.validate())) what.add("validate");
                if (!what.isEmpty()) out.add(Map.entry(l.name(), String.join(", ", what)));
            }
        }
        return out;
    }

    /** Turning TLS on or off changes what a listener speaks: that takes a restart. */
    private static List<String> tlsSwitched(SwitchboardConfig before, SwitchboardConfig after) {
        List<String> out = new ArrayList<>();
        for (ListenerConfig l : after.listeners()) {
            for (ListenerConfig o : before.listeners()) {
                if (o.name().equals(l.name()) && (o.tls() == null) != (l.tls() == null)) {
                    out.add("changed '" + l.name() + "' tls " + (o.tls() == null ? "off -> on" : "on -> off"));
                }
            }
        }
        return out;
    }
}
