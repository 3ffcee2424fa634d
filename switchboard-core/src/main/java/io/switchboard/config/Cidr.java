package io.switchboard.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation (RFC 4632, RFC 4291 section 2.3): {@code 10.0.0.0/8},
 * {@code 2001:db8::/32}; a bare address is a network of one ({@code /32} or {@code /128}).
 *
 * <p>The address is kept as two longs (IPv4 in the low 32 bits of {@code low}), so matching is two
 * masked compares and no allocation. Parsing never does DNS: only literals are accepted, and the text
 * is checked to hold nothing but hex digits, colons and dots before the JDK parses an IPv6 literal.
 * Immutable and thread-safe.
 *
 * @param prefixLength 0-32 for IPv4, 0-128 for IPv6
 */
public record Cidr(boolean ipv6, long high, long low, int prefixLength) {
    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final String FORM = "write e.g. 10.0.0.0/8, 192.168.1.5 or 2001:db8::/32";

    public Cidr {
        int max = ipv6 ? 128 : 32;
        if (prefixLength < 0 || prefixLength > max) throw new IllegalArgumentException("prefix length out of range");
        if (!ipv6 && (high != 0 || (low >>> 32) != 0)) throw new IllegalArgumentException("IPv4 address out of range");
        if ((high & ~highMask(ipv6, prefixLength)) != 0 || (low & ~lowMask(ipv6, prefixLength)) != 0) {
            throw new IllegalArgumentException("host bits set");
        }
    }

    /**
     * Parses {@code address[/prefix]}.
     *
     * @throws IllegalArgumentException with a message for people, e.g. {@code '10.0.0.1/8' has host bits
     *     set (write 10.0.0.0/8 for the network, or 10.0.0.1/32 for the address)}
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr, text);
        boolean v6 = bytes.length == 16;
        int max = v6 ? 128 : 32;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "': prefix length '" + p + "' is not a number (allowed: 0-" + max + ")");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("'" + text + "': prefix length " + prefix + " is out of range for "
                        + (v6 ? "IPv6" : "IPv4") + " (allowed: 0-" + max + ")");
            }
        }
        long high = v6 ? toLong(bytes, 0) : 0;
        long low = v6 ? toLong(bytes, 8) : toLong(bytes, 0) >>> 32;
        long mh = highMask(v6, prefix);
        long ml = lowMask(v6, prefix);
        if ((high & ~mh) != 0 || (low & ~ml) != 0) {
            Cidr network = new Cidr(v6, high & mh, low & ml, prefix);
            throw new IllegalArgumentException("'" + text + "' has host bits set (write " + network + " for the network, or "
                    + addr + "/" + max + " for the address)");
        }
        return new Cidr(v6, high, low, prefix);
    }

    /** Whether {@code address} (4 or 16 bytes, as from {@link InetAddress#getAddress()}) is in this network. */
    public boolean contains(byte[] address) {
        if (address.length == 4) {
            if (ipv6) return false;
            long a = toLong(address, 0) >>> 32;
            return (a & lowMask(false, prefixLength)) == low;
        }
        if (address.length != 16 || !ipv6) return false;
        return (toLong(address, 0) & highMask(true, prefixLength)) == high
                && (toLong(address, 8) & lowMask(true, prefixLength)) == low;
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    @Override
    public String toString() {
        if (!ipv6) {
            return ((low >>> 24) & 0xff) + "." + ((low >>> 16) & 0xff) + "." + ((low >>> 8) & 0xff) + "." + (low & 0xff)
                    + "/" + prefixLength;
        }
        return formatIpv6(high, low) + "/" + prefixLength;
    }

    /** The prefix bits of the address's first 64-bit word (IPv6 only; an IPv4 network has none there). */
    private static long highMask(boolean v6, int prefix) {
        return v6 ? bits(Math.min(prefix, 64)) : 0;
    }

    /** The prefix bits of the second word (IPv6), or of the 32 address bits in the low half (IPv4). */
    private static long lowMask(boolean v6, int prefix) {
        return v6 ? bits(Math.max(0, prefix - 64)) : bits(prefix) >>> 32;
    }

    /** The top {@code n} of 64 bits set. */
    private static long bits(int n) {
        return n == 0 ? 0 : -1L << (64 - n);
    }

    private static long toLong(byte[] b, int from) {
        long v = 0;
        int n = Math.min(8, b.length - from);
        for (int i = 0; i < n; i++) v = (v << 8) | (b[from + i] & 0xff);
        return v << (8 * (8 - n));
    }

    private static byte[] literal(String addr, String text) {
        if (addr.isEmpty()) throw new IllegalArgumentException("'" + text + "' has no address (" + FORM + ")");
        if (addr.indexOf(':') < 0) {
            if (!IPV4.matcher(addr).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address or network (" + FORM + "; host names are not allowed)");
            }
            String[] parts = addr.split("\\.", -1);
            if (parts.length != 4) throw new IllegalArgumentException("'" + text + "': '" + addr + "' is not a valid IPv4 address (" + FORM + ")");
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                    throw new IllegalArgumentException("'" + text + "': '" + addr + "' is not a valid IPv4 address (" + FORM + ")");
                }
                if (p.length() > 1 && p.charAt(0) == '0') {
                    throw new IllegalArgumentException("'" + text + "': '" + p + "' has a leading zero, which some tools read as octal;"
                            + " write it without");
                }
                out[i] = (byte) Integer.parseInt(p);
            }
            return out;
        }
        if (!IPV6.matcher(addr).matches()) {
            throw new IllegalArgumentException("'" + text + "': '" + addr + "' is not a valid IPv6 address (" + FORM + ")");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr); // hex digits, colons and dots only: parsed as a literal, no DNS
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': '" + addr + "' is not a valid IPv6 address (" + FORM + ")");
        }
        if (a instanceof Inet4Address) {
            throw new IllegalArgumentException("'" + text + "': write an IPv4-mapped network in dotted form ("
                    + a.getHostAddress() + "); clients are matched by their IPv4 address");
        }
        if (!(a instanceof Inet6Address)) throw new IllegalArgumentException("'" + text + "' is not an IP address");
        return a.getAddress();
    }

    /** RFC 5952 text: lower case, the longest run of two or more zero groups as {@code ::}. */
    private static String formatIpv6(long high, long low) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((high >>> (48 - 16 * i)) & 0xffff);
            g[4 + i] = (int) ((low >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
