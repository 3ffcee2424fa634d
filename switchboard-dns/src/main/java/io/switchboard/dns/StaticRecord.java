package io.switchboard.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A record that does not follow any pool: A, AAAA or TXT, with its RDATA already in wire form.
 * Immutable.
 */
public record StaticRecord(String name, int type, int ttl, byte[] rdata) {
    public StaticRecord {
        int expected = type == Wire.TYPE_A ? 4 : type == Wire.TYPE_AAAA ? 16 : -1;
        if (expected > 0 && rdata.length != expected) {
            throw new IllegalArgumentException("record " + name + ": an " + (type == Wire.TYPE_A ? "A" : "AAAA")
                    + " record has " + expected + " bytes of address, got " + rdata.length);
        }
        if (type != Wire.TYPE_A && type != Wire.TYPE_AAAA && type != Wire.TYPE_TXT) {
            throw new IllegalArgumentException("record " + name + ": type " + type
                    + " is not supported; allowed: A (1), AAAA (28), TXT (16)");
        }
        if (ttl < 0 || rdata.length > 65535) {
            throw new IllegalArgumentException("record " + name + ": ttl must be 0 or more and RDATA at most 65535 bytes");
        }
    }

    public static StaticRecord address(String name, int ttl, InetAddress address) {
        int type = address instanceof Inet6Address ? Wire.TYPE_AAAA : Wire.TYPE_A;
        return new StaticRecord(name, type, ttl, address.getAddress());
    }

    /** A TXT record of one character-string (at most 255 bytes of UTF-8). */
    public static StaticRecord txt(String name, int ttl, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        if (t.length > 255) {
            throw new IllegalArgumentException("TXT " + name + ": text is " + t.length + " bytes; at most 255 allowed");
        }
        byte[] rdata = new byte[t.length + 1];
        rdata[0] = (byte) t.length;
        System.arraycopy(t, 0, rdata, 1, t.length);
        return new StaticRecord(name, Wire.TYPE_TXT, ttl, rdata);
    }
}
