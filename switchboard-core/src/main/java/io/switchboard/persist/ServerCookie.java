package io.switchboard.persist;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The value of an inserted server cookie (HAProxy's {@code cookie SRV insert}):
 * {@code <id>.<first>.<last>.<mac>}, where {@code id} is an opaque server id derived from the
 * server's name with the key (HMAC-SHA256, 9 bytes, base64url), {@code first} and {@code last} are
 * the issue and last-seen times in epoch seconds, and {@code mac} is HMAC-SHA256 over the rest,
 * truncated to 16 bytes (128 bits: forging one is out of reach; NIST SP 800-107 allows truncation to
 * that length), base64url. The id never contains the name or the address, and the same server gets
 * the same id across restarts that keep the key, so a cookie survives a restart.
 *
 * <p>{@link #decode} never throws: anything wrong is a {@link Rejection}, the request is then
 * treated as if it carried no cookie. The tag is compared in constant time ({@link
 * MessageDigest#isEqual}). The times inside are authenticated, so a client cannot extend its own
 * session.
 *
 * <p>Threading: thread-safe; each thread uses its own {@link Mac}.
 */
public final class ServerCookie {
    /** Why a cookie value was not honoured. */
    public enum Rejection {
        /** Not a value this codec wrote (wrong shape, too long, bad base64, times out of order). */
        MALFORMED,
        /** The shape is right but the tag is not: tampered with, or signed with another key. */
        BAD_MAC,
        /** Issued longer ago than max-life. */
        EXPIRED,
        /** Not seen for longer than max-idle. */
        IDLE,
        /** Well signed, but no server of the pool has that id (removed, or renamed). */
        UNKNOWN_SERVER;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A decoded value: the server id and the times, or why it was rejected. */
    public record Decoded(String serverId, long firstSeconds, long lastSeconds, Rejection rejection) {
        public boolean ok() {
            return rejection == null;
        }

        static Decoded rejected(Rejection r) {
            return new Decoded(null, 0, 0, r);
        }
    }

    /** Longer values are rejected unread: ours are about 50 characters. */
    static final int MAX_VALUE = 96;
    static final int ID_BYTES = 9;
    static final int MAC_BYTES = 16;
    /** A cookie issued a little in the future is accepted: clocks of a cluster's nodes differ slightly. */
    static final long SKEW_SECONDS = 60;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int ID_CHARS = 12;   // 9 bytes in base64url
    private static final int MAC_CHARS = 22;  // 16 bytes in base64url, unpadded

    /** Ids are asked for every server on every request that has a cookie: computed once per name. */
    private static final int MAX_REMEMBERED_IDS = 4096;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final Map<String, String> ids = new ConcurrentHashMap<>();

    /** @param key at least 16 bytes; {@link #keyOf} makes one from a secret string */
    public ServerCookie(byte[] key) {
        if (key == null || key.length < 16) throw new IllegalArgumentException("a cookie key needs at least 16 bytes");
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** A key from a secret of any length (SHA-256 of its UTF-8 bytes). */
    public static byte[] keyOf(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private byte[] mac(String domain, String text) {
        Mac m = macs.get();
        m.update(domain.getBytes(StandardCharsets.US_ASCII));
        return m.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The opaque id of the server with this name (stable for a key). */
    public String serverId(String serverName) {
        String id = ids.get(serverName);
        if (id != null) return id;
        id = B64.encodeToString(Arrays.copyOf(mac("id\0", serverName), ID_BYTES));
        if (ids.size() >= MAX_REMEMBERED_IDS) ids.clear(); // names churn only by reloads: rarely, if ever
        ids.put(serverName, id);
        return id;
    }

    /** The cookie value naming this server, issued at {@code firstSeconds}, last seen at {@code lastSeconds}. */
    public String encode(String serverName, long firstSeconds, long lastSeconds) {
        String body = serverId(serverName) + "." + firstSeconds + "." + lastSeconds;
        return body + "." + B64.encodeToString(Arrays.copyOf(mac("cookie\0", body), MAC_BYTES));
    }

    /**
     * Checks a cookie value.
     *
     * @param maxIdleSeconds 0 for no limit
     * @param maxLifeSeconds 0 for no limit
     */
    public Decoded decode(String value, long nowSeconds, long maxIdleSeconds, long maxLifeSeconds) {
        if (value == null || value.length() > MAX_VALUE) return Decoded.rejected(Rejection.MALFORMED);
        int d1 = value.indexOf('.');
        int d2 = d1 < 0 ? -1 : value.indexOf('.', d1 + 1);
        int d3 = d2 < 0 ? -1 : value.indexOf('.', d2 + 1);
        if (d1 != ID_CHARS || d3 < 0 || value.length() - d3 - 1 != MAC_CHARS) return Decoded.rejected(Rejection.MALFORMED);
        long first = seconds(value, d1 + 1, d2);
        long last = seconds(value, d2 + 1, d3);
        byte[] tag;
        try {
            tag = B64D.decode(value.substring(d3 + 1));
            B64D.decode(value.substring(0, d1));
        } catch (IllegalArgumentException e) {
            return Decoded.rejected(Rejection.MALFORMED);
        }
        // Canonical base64 only: unused low bits of the last character must be zero, so that a value
        // has one spelling and any changed character is a rejected cookie.
        if (first < 0 || last < first || tag.length != MAC_BYTES
                || !B64.encodeToString(tag).regionMatches(0, value, d3 + 1, MAC_CHARS)) {
            return Decoded.rejected(Rejection.MALFORMED);
        }
        byte[] expected = Arrays.copyOf(mac("cookie\0", value.substring(0, d3)), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, tag)) return Decoded.rejected(Rejection.BAD_MAC);
        if (last > nowSeconds + SKEW_SECONDS) return Decoded.rejected(Rejection.MALFORMED);
        if (maxLifeSeconds > 0 && nowSeconds - first > maxLifeSeconds) return Decoded.rejected(Rejection.EXPIRED);
        if (maxIdleSeconds > 0 && nowSeconds - last > maxIdleSeconds) return Decoded.rejected(Rejection.IDLE);
        return new Decoded(value.substring(0, d1), first, last, null);
    }

    /** Decimal digits only (no sign, at most 12: epoch seconds until the year 33658); -1 otherwise. */
    private static long seconds(String s, int from, int to) {
        if (to <= from || to - from > 12) return -1;
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
