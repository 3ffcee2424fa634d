package io.switchboard.config;

import java.time.Duration;
import java.util.Locale;

/**
 * How a pool keeps a client on the back end it was sent to (session persistence): exactly one of
 * an inserted server cookie ({@link Cookie}), a learned application cookie ({@link AppCookie}) or a
 * stick table on a request key ({@link Stick}). A pool without persistence has none (null).
 */
public sealed interface PersistenceConfig {
    /** Stick-table entries a pool keeps when the config names no size. */
    int DEFAULT_SIZE = 100_000;
    /** How long an unused stick-table entry lives when the config names no expiry. */
    Duration DEFAULT_EXPIRE = Duration.ofMinutes(30);

    /**
     * HAProxy's {@code cookie NAME insert indirect nocache}: the proxy sets a signed cookie that names
     * the back end by an opaque id, and removes it from the requests it forwards.
     *
     * @param maxIdle   a cookie not seen for longer is ignored (0: no limit)
     * @param maxLife   a cookie issued longer ago is ignored (0: no limit)
     * @param sameSite  {@code lax}, {@code strict}, {@code none}, or null to send no SameSite attribute
     * @param secretEnv the environment variable holding the signing key; null: a random key per process
     */
    record Cookie(String name, Duration maxIdle, Duration maxLife, boolean secure, boolean httpOnly, String sameSite,
                  String secretEnv) implements PersistenceConfig {
        public Cookie {
            requireToken(name, "cookie name");
            if (maxIdle == null) maxIdle = Duration.ZERO;
            if (maxLife == null) maxLife = Duration.ZERO;
            if (sameSite != null) sameSite = sameSite(sameSite);
        }

        /** The SameSite value as sent ({@code Lax}, {@code Strict}, {@code None}). */
        public static String sameSite(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "lax" -> "Lax";
                case "strict" -> "Strict";
                case "none" -> "None";
                default -> throw new IllegalArgumentException("'" + value + "' is not a SameSite value (lax, strict or none)");
            };
        }
    }

    /**
     * A cookie the application sets ({@code JSESSIONID}): the proxy learns which back end set which
     * value and sends later requests carrying it there.
     */
    record AppCookie(String name, Duration expire, int size) implements PersistenceConfig {
        public AppCookie {
            requireToken(name, "cookie name");
            if (expire == null) expire = DEFAULT_EXPIRE;
            if (size < 1) throw new IllegalArgumentException("size must be at least 1");
        }
    }

    /** A stick table: requests with the same key go to the back end the first of them got. */
    record Stick(StickOn on, Duration expire, int size) implements PersistenceConfig {
        public Stick {
            if (on == null) throw new IllegalArgumentException("stick needs 'on'");
            if (expire == null) expire = DEFAULT_EXPIRE;
            if (size < 1) throw new IllegalArgumentException("size must be at least 1");
        }
    }

    /** What a stick table is keyed on. */
    record StickOn(Source source, String name) {
        public enum Source { CLIENT_ADDRESS, HEADER, COOKIE, QUERY }

        /**
         * {@code client-address}, {@code header:NAME}, {@code cookie:NAME} or {@code query:NAME}.
         *
         * @throws IllegalArgumentException saying what is allowed
         */
        public static StickOn parse(String text) {
            String t = text.trim();
            if (t.equals("client-address")) return new StickOn(Source.CLIENT_ADDRESS, null);
            int colon = t.indexOf(':');
            String kind = colon < 0 ? t : t.substring(0, colon);
            Source source = switch (kind) {
                case "header" -> Source.HEADER;
                case "cookie" -> Source.COOKIE;
                case "query" -> Source.QUERY;
                default -> throw new IllegalArgumentException("'" + text
                        + "' is not a stick key (client-address, header:NAME, cookie:NAME or query:NAME)");
            };
            String name = colon < 0 ? "" : t.substring(colon + 1).trim();
            if (name.isEmpty()) throw new IllegalArgumentException("'" + text + "' names no " + kind + " (write " + kind + ":NAME)");
            requireToken(name, kind + " name");
            return new StickOn(source, name);
        }

        @Override
        public String toString() {
            return source == Source.CLIENT_ADDRESS ? "client-address" : source.name().toLowerCase(Locale.ROOT) + ":" + name;
        }
    }

    private static void requireToken(String name, String what) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException(what + " '" + name + "' has '" + c
                        + "' (RFC 9110 token characters only: letters, digits and !#$%&'*+-.^_`|~)");
            }
        }
    }
}
