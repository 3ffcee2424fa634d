package io.switchboard.app;

import io.switchboard.config.TcpValidateConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a {@code mode: tcp} listener's protocol validator: {@code validate: none | tls | line | resp | http},
 * with {@code sni-routes} for {@code tls} and {@code max-line}, {@code first-words}, {@code error-line} for
 * {@code line} and {@code resp}. A key of the other validator (or of any validator without one) is an error, not silently
 * ignored. Problems name file, line and key like {@link PoolSection}'s.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class TcpValidateSection {
    /** The listener keys this section reads; only a {@code mode: tcp} listener has them. */
    static final List<String> KEYS = List.of("validate", "sni-routes", "max-line", "first-words", "error-line");
    static final List<String> SNI_ROUTE_KEYS = List.of("names", "pool");
    static final Map<String, TcpValidateConfig.Kind> KINDS = new TreeMap<>(Map.of(
            "none", TcpValidateConfig.Kind.NONE, "tls", TcpValidateConfig.Kind.TLS, "line", TcpValidateConfig.Kind.LINE,
            "resp", TcpValidateConfig.Kind.RESP, "http", TcpValidateConfig.Kind.HTTP));
    private static final List<String> TLS_KEYS = List.of("sni-routes");
    private static final List<String> LINE_KEYS = List.of("max-line", "first-words", "error-line");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private TcpValidateSection() {}

    static TcpValidateConfig read(Section s, Map<String, YamlNode.Entry> pools) {
        TcpValidateConfig.Kind kind = s.choice("validate", TcpValidateConfig.Kind.NONE, KINDS);
        refuse(s, kind == TcpValidateConfig.Kind.TLS ? List.of() : TLS_KEYS, "tls", kind);
        boolean lines = kind == TcpValidateConfig.Kind.LINE || kind == TcpValidateConfig.Kind.RESP;
        refuse(s, lines ? List.of() : LINE_KEYS, "line or resp", kind);
        return switch (kind) {
            case NONE -> TcpValidateConfig.NONE;
            case HTTP -> TcpValidateConfig.HTTP;
            case TLS -> TcpValidateConfig.tls(sniRoutes(s, pools));
            case LINE, RESP -> {
                int maxLine = (int) s.size("max-line", TcpValidateConfig.DEFAULT_MAX_LINE, 3, 1 << 20);
                List<String> words = words(s);
                String error = s.value("error-line", null, v -> {
                    String t = v;
                    while (t.endsWith("\n") || t.endsWith("\r")) t = t.substring(0, t.length() - 1);
                    if (t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
                        throw new IllegalArgumentException("one line only: CR LF is added after it");
                    }
                    return t + "\r\n";
                });
                yield kind == TcpValidateConfig.Kind.LINE ? TcpValidateConfig.line(maxLine, words, error)
                        : TcpValidateConfig.resp(maxLine, words, error);
            }
        };
    }

    private static void refuse(Section s, List<String> keys, String validator, TcpValidateConfig.Kind kind) {
        for (String key : keys) {
            YamlNode.Entry e = s.entry(key);
            if (e == null) continue;
            s.problems().error(e.line(), e.column(), s.keyPath(key), "applies to validate: " + validator + " only; this listener has"
                    + " validate: " + kind.name().toLowerCase(Locale.ROOT));
        }
    }

    private static List<String> words(Section s) {
        YamlNode.Sequence list = s.list("first-words");
        if (list == null) return List.of();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode n = list.items().get(i);
            String path = s.keyPath("first-words") + "[" + i + "]";
            if (!(n instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                s.problems().error(n, path, "expected a command word (EHLO, PING, ...); found " + n.kind());
                continue;
            }
            if (sc.broken()) continue;
            if (!WORD.matcher(sc.text()).matches()) {
                s.problems().error(n, path, "'" + sc.text() + "' is not a command word (1-32 letters, digits, '-' or '_')");
                continue;
            }
            out.add(sc.text());
        }
        return out;
    }

    private static List<TcpValidateConfig.SniRoute> sniRoutes(Section listener, Map<String, YamlNode.Entry> pools) {
        YamlNode.Sequence list = listener.list("sni-routes");
        if (list == null) return List.of();
        Problems problems = listener.problems();
        List<TcpValidateConfig.SniRoute> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = listener.keyPath("sni-routes") + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                problems.error(item, path, "expected {names: [...], pool: ...}; found " + item.kind());
                continue;
            }
            Section s = Section.open(item, path, item.line(), item.column(), problems, SNI_ROUTE_KEYS);
            String pool = s.required("pool", "the name of a pool", v -> v);
            if (pool != null && !pools.containsKey(pool)) {
                String known = pools.isEmpty() ? "none defined" : "pools: " + String.join(", ", pools.keySet());
                problems.error(s.entry("pool").value(), s.keyPath("pool"),
                        "no pool named '" + pool + "'" + Spelling.suggestion(pool, pools.keySet()) + " (" + known + ")");
                pool = null;
            }
            List<String> names = new ArrayList<>();
            YamlNode.Sequence ns = s.list("names");
            if (ns == null || ns.items().isEmpty()) {
                problems.error(item, s.keyPath("names"), "required: the server names (a.example.com, *.example.com) of this route");
                continue;
            }
            for (int j = 0; j < ns.items().size(); j++) {
                YamlNode n = ns.items().get(j);
                String npath = s.keyPath("names") + "[" + j + "]";
                if (!(n instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                    problems.error(n, npath, "expected a server name; found " + n.kind());
                    continue;
                }
                if (sc.broken()) continue;
                String name = sc.text().toLowerCase(Locale.ROOT);
                if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
                if (name.length() > 253 || !HOST.matcher(name).matches()) {
                    problems.error(n, npath, "'" + sc.text() + "' is not a host name or *. and a domain (a.example.com, *.example.com)");
                    continue;
                }
                Integer first = seen.putIfAbsent(name, n.line());
                if (first != null) {
                    problems.error(n, npath, "server name '" + name + "' is already routed (line " + first + ")");
                    continue;
                }
                names.add(name);
            }
            if (pool != null && !names.isEmpty()) out.add(new TcpValidateConfig.SniRoute(names, pool));
        }
        return out;
    }
}
