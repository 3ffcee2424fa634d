package io.switchboard.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Domain names from configuration text to wire form, and the case-insensitive hash and comparison
 * the name table uses. Lower-casing a wire name byte by byte is safe: length bytes are at most 63,
 * below {@code 'A'}. Stateless.
 */
final class WireName {
    private WireName() {}

    /** {@code "@"} is the origin; a trailing dot makes a name absolute; anything else is under the origin. */
    static String absolute(String name, String origin) {
        String o = stripDot(origin);
        if (name.equals("@")) {
            return o;
        }
        if (name.endsWith(".")) {
            return stripDot(name);
        }
        return o.isEmpty() ? name : name + "." + o;
    }

    /** Like {@link #absolute}, for a name the zone owns: it must be the origin or below it. */
    static String owner(String name, String origin) {
        String n = absolute(name, origin);
        String o = stripDot(origin).toLowerCase(Locale.ROOT);
        String l = n.toLowerCase(Locale.ROOT);
        if (!o.isEmpty() && !l.equals(o) && !l.endsWith("." + o)) {
            throw new IllegalArgumentException("name " + name + " is not inside zone " + origin);
        }
        return n;
    }

    private static String stripDot(String n) {
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** The lower-cased wire form of a dotted name (no escapes; a trailing dot is optional). */
    static byte[] encode(String dotted) {
        String n = stripDot(dotted);
        ByteArrayOutputStream out = new ByteArrayOutputStream(n.length() + 2);
        if (!n.isEmpty()) {
            for (String label : n.split("\\.", -1)) {
                byte[] b = label.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
                if (b.length == 0 || b.length > Wire.MAX_LABEL) {
                    throw new IllegalArgumentException("name " + dotted + ": label '" + label
                            + "' must be 1 to 63 characters");
                }
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        out.write(0);
        if (out.size() > Wire.MAX_NAME) {
            throw new IllegalArgumentException("name " + dotted + " is " + out.size()
                    + " bytes on the wire; at most 255 allowed");
        }
        return out.toByteArray();
    }

    /** A label safe for a host name: letters, digits and '-', from any server name. */
    static String label(String serverName) {
        StringBuilder b = new StringBuilder();
        for (char c : serverName.toLowerCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
        }
        String s = b.length() > Wire.MAX_LABEL ? b.substring(0, Wire.MAX_LABEL) : b.toString();
        return s.isEmpty() ? "server" : s;
    }

    static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    static int hash(byte[] buf, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h = (h ^ lower(buf[i])) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    static boolean equalsIgnoreCase(byte[] key, byte[] buf, int from, int to) {
        if (key.length != to - from) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (key[i] != lower(buf[from + i])) {
                return false;
            }
        }
        return true;
    }
}
