package io.switchboard.app;

import io.switchboard.config.PersistenceConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads a pool's {@code persistence} section: exactly one of {@code cookie}, {@code app-cookie} or
 * {@code stick}, with the same problems (file, line, key, what is allowed) as {@link PoolSection}.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class PersistenceSection {
    static final List<String> KINDS = List.of("cookie", "app-cookie", "stick");
    static final List<String> COOKIE_KEYS = List.of("name", "max-idle", "max-life", "secure", "httponly", "samesite",
            "secret-env");
    static final List<String> APP_COOKIE_KEYS = List.of("name", "expire", "size");
    static final List<String> STICK_KEYS = List.of("on", "expire", "size");
    static final String DEFAULT_COOKIE = "SRV";
    static final int MAX_SIZE = 10_000_000;

    private PersistenceSection() {}

    /** The pool's persistence, or null when it has none (or it is wrong: then an error is recorded). */
    static PersistenceConfig read(Section pool, UnaryOperator<String> env) {
        if (!pool.has("persistence")) return null;
        Section s = pool.section("persistence", KINDS);
        List<String> kinds = s.present(KINDS);
        if (kinds.size() > 1) {
            YamlNode.Entry second = s.entry(kinds.get(1));
            s.problems().error(second.line(), second.column(), s.path(),
                    "a pool has one kind of persistence; found " + String.join(" and ", kinds) + " (keep one of them)");
            return null;
        }
        if (kinds.isEmpty()) {
            YamlNode.Entry e = pool.entry("persistence");
            if (e.value() instanceof YamlNode.Mapping m && !m.entries().isEmpty()) return null; // unknown keys: reported
            if (e.value() instanceof YamlNode.Scalar sc && (sc.broken() || !sc.isEmpty())) return null; // reported
            s.problems().error(e.line(), e.column(), s.path(), "expected one of " + String.join(", ", KINDS)
                    + " (or remove the key for no persistence)");
            return null;
        }
        int errorsBefore = s.problems().errorCount();
        PersistenceConfig p = switch (kinds.get(0)) {
            case "cookie" -> cookie(s.section("cookie", COOKIE_KEYS), env);
            case "app-cookie" -> appCookie(s.section("app-cookie", APP_COOKIE_KEYS));
            default -> stick(s.section("stick", STICK_KEYS));
        };
        return s.problems().errorCount() == errorsBefore ? p : null;
    }

    private static PersistenceConfig cookie(Section s, UnaryOperator<String> env) {
        String name = s.value("name", DEFAULT_COOKIE, PersistenceSection::token);
        Duration maxIdle = s.duration("max-idle", Duration.ZERO, false);
        Duration maxLife = s.duration("max-life", Duration.ZERO, false);
        boolean secure = s.bool("secure", false);
        boolean httpOnly = s.bool("httponly", true);
        String sameSite = s.value("samesite", "Lax", PersistenceConfig.Cookie::sameSite);
        String secretEnv = s.value("secret-env", null, v -> {
            String value = env.apply(v.trim());
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("environment variable " + v.trim()
                        + " is not set or empty (set it to a secret shared by every node, or remove the key for a random key per process)");
            }
            return v.trim();
        });
        if ("None".equals(sameSite) && !secure) {
            YamlNode.Entry e = s.entry("samesite");
            s.problems().warn(e.line(), e.column(), s.keyPath("samesite"),
                    "browsers ignore a SameSite=None cookie without Secure (set secure: true, or use lax)");
        }
        return new PersistenceConfig.Cookie(name, maxIdle, maxLife, secure, httpOnly, sameSite, secretEnv);
    }

    private static PersistenceConfig appCookie(Section s) {
        String name = s.required("name", "the application's session cookie, e.g. JSESSIONID", PersistenceSection::token);
        Duration expire = s.duration("expire", PersistenceConfig.DEFAULT_EXPIRE, true);
        int size = s.integer("size", PersistenceConfig.DEFAULT_SIZE, 1, MAX_SIZE);
        return name == null ? null : new PersistenceConfig.AppCookie(name, expire, size);
    }

    private static PersistenceConfig stick(Section s) {
        PersistenceConfig.StickOn on = s.required("on", "client-address, header:NAME, cookie:NAME or query:NAME",
                PersistenceConfig.StickOn::parse);
        Duration expire = s.duration("expire", PersistenceConfig.DEFAULT_EXPIRE, true);
        int size = s.integer("size", PersistenceConfig.DEFAULT_SIZE, 1, MAX_SIZE);
        return on == null ? null : new PersistenceConfig.Stick(on, expire, size);
    }

    /** A cookie name, checked by the record's own rule. */
    private static String token(String v) {
        return new PersistenceConfig.AppCookie(v.trim(), null, 1).name();
    }
}
