package io.switchboard.app;

import io.switchboard.config.DurationSyntax;
import io.switchboard.config.HostPort;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.KeySyntax;
import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.config.LoadReportsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads the load-feedback settings: the top-level {@code load-reports} section (the UDP receiver of
 * pushed reports and its shared key) and a pool's {@code load-feedback} ({@code push}, or
 * {@code agent-check: {port, interval, timeout}}), with the same problems (file, line, key, what is
 * allowed) as {@link PoolSection}.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class LoadFeedbackSection {
    static final List<String> LOAD_REPORTS_KEYS = List.of("listen", "key-file", "key-env", "max-age");
    static final List<String> FEEDBACK_KINDS = List.of("push", "agent-check");
    static final List<String> AGENT_CHECK_KEYS = List.of("port", "interval", "timeout");
    static final String DEFAULT_LISTEN = "0.0.0.0:" + LoadReportsConfig.DEFAULT_PORT;
    private static final String FEEDBACK_FORM = "push, or agent-check: {port: N, interval: 1s, timeout: 500ms}";

    private LoadFeedbackSection() {}

    /**
     * The {@code load-reports} section; null when it is absent, or wrong (the error is recorded), or
     * for {@code check} when its key is in an environment variable that is not set (a warning).
     */
    static LoadReportsConfig readReceiver(Section root, Path source, ConfigLoader.Purpose purpose, UnaryOperator<String> env) {
        if (!root.has("load-reports")) return null;
        Section s = root.section("load-reports", LOAD_REPORTS_KEYS);
        Problems problems = s.problems();
        int errorsBefore = problems.errorCount();
        HostPort listen = s.value("listen", HostPortSyntax.parse(DEFAULT_LISTEN), LoadFeedbackSection::listen);
        Duration maxAge = s.duration("max-age", LoadReportsConfig.DEFAULT_MAX_AGE, true);
        byte[] key = null;
        String keySource = null;
        List<String> keys = s.present(List.of("key-file", "key-env"));
        if (keys.size() > 1) {
            YamlNode.Entry e = s.entry(keys.get(1));
            problems.error(e.line(), e.column(), s.keyPath(keys.get(1)), "give either key-file or key-env, not both");
        } else if (keys.isEmpty()) {
            YamlNode.Entry e = root.entry("load-reports");
            problems.error(e.line(), e.column(), "load-reports", "the shared key is missing: give key-file (a file"
                    + " readable only by switchboard) or key-env (an environment variable); the key is " + rule());
        } else if (keys.get(0).equals("key-file")) {
            Path file = s.value("key-file", null, v -> keyFile(v, source));
            if (file != null) {
                key = s.value("key-file", null, v -> readKey(file));
                keySource = "key file " + file;
            }
        } else {
            String var = s.value("key-env", null, ConfigLoader::envName);
            if (var != null) {
                YamlNode.Entry e = s.entry("key-env");
                String value = env.apply(var);
                String missing = "environment variable " + var + " is not set (or is empty)";
                if ((value == null || value.isEmpty()) && purpose == ConfigLoader.Purpose.CHECK) {
                    problems.warn(e.value(), s.keyPath("key-env"), missing + "; run refuses to start without it");
                } else if (value == null || value.isEmpty()) {
                    problems.error(e.value(), s.keyPath("key-env"), missing);
                } else {
                    try {
                        key = KeySyntax.parse(value.getBytes(StandardCharsets.UTF_8));
                        keySource = "environment variable " + var;
                    } catch (IllegalArgumentException bad) {
                        problems.error(e.value(), s.keyPath("key-env"), "environment variable " + var + ": " + bad.getMessage());
                    }
                }
            }
        }
        if (problems.errorCount() != errorsBefore || key == null || listen == null) return null;
        return new LoadReportsConfig(listen.host(), listen.port(), key, keySource, maxAge);
    }

    /** A pool's {@code load-feedback}; null when absent or wrong (the error is recorded). */
    static LoadFeedbackConfig readPool(Section pool) {
        YamlNode.Entry e = pool.entry("load-feedback");
        if (e == null) return null;
        Problems problems = pool.problems();
        String path = pool.keyPath("load-feedback");
        if (e.value() instanceof YamlNode.Scalar sc) {
            if (sc.broken()) return null;
            String word = sc.text().trim();
            if (word.equals("push")) return LoadFeedbackConfig.PUSH;
            if (sc.isEmpty()) {
                problems.error(e.line(), e.column(), path, "has no value (allowed: " + FEEDBACK_FORM + ")");
            } else if (word.equals("agent-check")) {
                problems.error(sc, path, "agent-check needs its port: agent-check: {port: N, interval: 1s, timeout: 500ms}");
            } else {
                problems.error(sc, path, "unknown value '" + word + "'" + Spelling.suggestion(word, FEEDBACK_KINDS)
                        + " (allowed: " + FEEDBACK_FORM + ")");
            }
            return null;
        }
        Section s = pool.section("load-feedback", FEEDBACK_KINDS);
        if (!(e.value() instanceof YamlNode.Mapping)) return null; // a list: reported by section()
        if (s.has("push")) {
            YamlNode.Entry p = s.entry("push");
            problems.error(p.line(), p.column(), s.keyPath("push"), "write push as a value: load-feedback: push");
            return null;
        }
        if (!s.has("agent-check")) return null; // only unknown keys: reported
        int errorsBefore = problems.errorCount();
        Section a = s.section("agent-check", AGENT_CHECK_KEYS);
        Integer port = a.required("port", "the agent's TCP port, 1-65535", v -> IntegerSyntax.parse(v, 1, 65535));
        Duration interval = a.duration("interval", LoadFeedbackConfig.DEFAULT_INTERVAL, true);
        Duration timeout = a.duration("timeout", LoadFeedbackConfig.DEFAULT_TIMEOUT, true);
        if (port != null && timeout.compareTo(interval) > 0) {
            YamlNode.Entry t = a.entry("timeout") != null ? a.entry("timeout") : s.entry("agent-check");
            problems.warn(t.line(), t.column(), a.keyPath("timeout"), "timeout " + DurationSyntax.format(timeout)
                    + " is longer than the interval " + DurationSyntax.format(interval) + "; a slow agent is then pulled"
                    + " less often than every interval");
        }
        if (port == null || problems.errorCount() != errorsBefore) return null;
        return LoadFeedbackConfig.agentCheck(port, interval, timeout);
    }

    private static String rule() {
        return "at least " + LoadReportsConfig.MIN_KEY_BYTES + " bytes: base64 text (e.g. openssl rand -base64 32)"
                + " or raw bytes";
    }

    /** {@code host:port}; port 0 (any free port) is allowed for tests. */
    private static HostPort listen(String v) {
        String s = v.trim();
        if (s.endsWith(":0") && s.indexOf(':') == s.length() - 2) {
            return new HostPort(HostPortSyntax.host(s.substring(0, s.length() - 2)), 0);
        }
        if (s.endsWith("]:0")) return new HostPort(HostPortSyntax.host(s.substring(1, s.length() - 3)), 0);
        return HostPortSyntax.parse(s);
    }

    /** Relative to the config file's directory, as the access log. */
    private static Path keyFile(String v, Path source) {
        Path p = Path.of(v);
        if (!p.isAbsolute() && source != null) {
            Path dir = source.toAbsolutePath().getParent();
            if (dir != null) p = dir.resolve(p);
        }
        return p.toAbsolutePath().normalize();
    }

    private static byte[] readKey(Path file) {
        try {
            if (Files.isDirectory(file)) throw new IllegalArgumentException(file + " is a directory (give the key's file)");
            return KeySyntax.parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

}
