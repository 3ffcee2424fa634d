package io.switchboard.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Host and port as people write them, in the config file and the admin API alike:
 * {@code 10.0.0.5:8080}, {@code app-1.internal:80}, {@code app_1:80}, {@code [::1]:80}.
 *
 * <p>A host name is dot-separated labels of 1-63 letters, digits, {@code -} and {@code _}, not
 * starting or ending with {@code -}, at most 253 characters in all. The {@code _} is outside RFC 1123
 * but real: Docker Compose names containers {@code app_1}, and its DNS answers for them. Names are
 * checked for form only and resolved when connecting, never here, so that a config can be checked on
 * a machine that cannot resolve them and parsing never waits for DNS.
 *
 * <p>Stateless; thread-safe.
 */
public final class HostPortSyntax {
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final String FORM = "expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80";
    private static final String NAME_RULE = "a host name is dot-separated labels of letters, digits, '-' and '_'";

    private HostPortSyntax() {}

    /**
     * A back end's address: the port is required, 1-65535.
     *
     * @throws IllegalArgumentException with a message that quotes the text and says what is allowed
     */
    public static HostPort parse(String text) {
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("'" + text + "' has no closing ']' (" + FORM + ")");
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":") || rest.length() == 1) {
                throw new IllegalArgumentException("'" + text + "' has no port (" + FORM + ")");
            }
            port = rest.substring(1);
            checkIpv6(host, text);
        } else {
            int colons = count(s, ':');
            if (colons == 0) throw new IllegalArgumentException("'" + text + "' has no port (" + FORM + ")");
            if (colons > 1) {
                throw new IllegalArgumentException("'" + text + "': an IPv6 address needs brackets, e.g. [::1]:80");
            }
            int colon = s.indexOf(':');
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.isEmpty()) throw new IllegalArgumentException("'" + text + "' has no host (" + FORM + ")");
            checkHost(host, text);
        }
        if (port.isEmpty() || !digits(port)) {
            throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number (allowed: 1-65535)");
        }
        int p = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range (allowed: 1-65535)");
        }
        return new HostPort(host, p);
    }

    /**
     * A host without a port (an address to bind): IPv4, IPv6 with or without brackets, or a name.
     *
     * @return the host, IPv6 without brackets
     * @throws IllegalArgumentException with a message that quotes the text and says what is allowed
     */
    public static String host(String text) {
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            checkIpv6(s.substring(1, s.length() - 1), text);
            return s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') >= 0) {
            if (IPV6_CHARS.matcher(s).matches() && isIpv6(s)) return s;
            if (count(s, ':') == 1) {
                throw new IllegalArgumentException("'" + text + "' has a port; write the host here and the port under 'port'");
            }
            throw new IllegalArgumentException("'" + text + "' is not a valid IPv6 address");
        }
        checkHost(s, text);
        return s;
    }

    private static void checkHost(String host, String text) {
        if (ipv4Like(host)) {
            if (!ipv4(host)) throw new IllegalArgumentException("'" + text + "': '" + host + "' is not a valid IPv4 address");
            return;
        }
        if (!HOSTNAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + text + "': '" + host + "' is not a valid host name or IP address ("
                    + NAME_RULE + ")");
        }
    }

    /**
     * Digits and dots only (then it must be an IPv4 address, not a name). By hand rather than by a
     * regular expression: a config of 10,000 servers checks 10,000 addresses on every reload.
     */
    private static boolean ipv4Like(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) return false;
        }
        return true;
    }

    /** Four dot-separated numbers of 1-3 digits, each at most 255 (leading zeros allowed, as before). */
    private static boolean ipv4(String s) {
        int octets = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && s.charAt(i) != '.') continue;
            int len = i - start;
            if (len == 0 || len > 3 || Integer.parseInt(s, start, i, 10) > 255) return false;
            octets++;
            start = i + 1;
        }
        return octets == 4;
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) n++;
        return n;
    }

    private static void checkIpv6(String host, String text) {
        if (!IPV6_CHARS.matcher(host).matches() || !isIpv6(host)) {
            throw new IllegalArgumentException("'" + text + "': '" + host + "' is not a valid IPv6 address");
        }
    }

    /** Only ever called with hex digits, colons and dots, which the JDK parses as a literal without DNS. */
    private static boolean isIpv6(String s) {
        if (s.indexOf(':') < 0) return false;
        try {
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
