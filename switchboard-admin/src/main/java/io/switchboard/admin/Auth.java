package io.switchboard.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who may do what on the admin listener. Every change needs {@code Authorization: Bearer <token>}
 * (401 without it, 403 with a wrong one). Reads are open to loopback clients, as HAProxy's stats
 * socket is to local users; from anywhere else they need the token too.
 *
 * <p>An open read must also name the server by address or as {@code localhost} in its Host header:
 * otherwise a web page on another site could rebind its own name to 127.0.0.1 (DNS rebinding) and
 * read the API from the operator's browser. Changes are safe from that without the check: a browser
 * sends no Authorization header across sites, and the API sends no CORS headers.
 *
 * <p>Threading: the token is swapped whole (a reload may set a new one); comparison takes constant
 * time.
 */
final class Auth {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    static final String CHALLENGE = "Bearer realm=\"switchboard\"";

    private volatile byte[] token;

    Auth(String token) {
        token(token);
    }

    void token(String t) {
        this.token = t == null || t.isEmpty() ? null : t.getBytes(StandardCharsets.UTF_8);
    }

    boolean hasToken() {
        return token != null;
    }

    /** Null when the request may go on; otherwise the 401 or 403 to answer. */
    ApiResponse check(ApiRequest r, Json json) {
        boolean needToken = r.isChange() || !r.loopbackClient();
        String header = r.authorization();
        if (!needToken) {
            if (hostIsAddress(r.host())) return null;
            if (header == null) {
                return json.error(403, "Host '" + r.host() + "' is not an IP address or localhost: reads without the token"
                        + " must name the admin listener by address (protection against DNS rebinding); use 127.0.0.1 or"
                        + " send the token");
            }
        }
        byte[] expected = token;
        String what = r.isChange() ? "changes" : "reads from other hosts than this one";
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            String msg = expected == null
                    ? what + " need the admin token, and none is configured: set admin.token or admin.token-env in the"
                            + " config file (the API is read-only until then)"
                    : what + " need the admin token: send 'Authorization: Bearer <token>'";
            return json.error(401, msg).withHeader("WWW-Authenticate", CHALLENGE);
        }
        if (expected == null) {
            return json.error(403, "changes are disabled: no admin token is configured (set admin.token or admin.token-env"
                    + " in the config file)");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) return json.error(403, "the admin token is wrong");
        return null;
    }

    /** Host header names an IP literal or localhost (with or without a port); absent (HTTP/1.0) counts as yes. */
    static boolean hostIsAddress(String host) {
        if (host == null || host.isEmpty()) return true;
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && isLiteral(h.substring(1, end));
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        return h.equals("localhost") || IPV4.matcher(h).matches() && isLiteral(h);
    }

    private static boolean isLiteral(String s) {
        if (!s.matches("[0-9a-f:.]+")) return false; // never resolve a name here
        try {
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
