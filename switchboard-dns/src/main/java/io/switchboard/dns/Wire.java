package io.switchboard.dns;

/**
 * The numbers of the DNS wire format this engine uses (RFC 1035, 3596, 2782, 6891, 8482). Constants
 * only; no state.
 */
public final class Wire {
    private Wire() {}

    public static final int HEADER = 12;
    /** The largest name on the wire, length bytes and root included (RFC 1035 3.1). */
    public static final int MAX_NAME = 255;
    public static final int MAX_LABEL = 63;
    /** A UDP answer without EDNS0 (RFC 1035 4.2.1). */
    public static final int CLASSIC_UDP = 512;
    /** The EDNS0 payload size we announce and never exceed on UDP (DNS flag day 2020). */
    public static final int DEFAULT_EDNS_UDP = 1232;

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_HINFO = 13;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_SRV = 33;
    public static final int TYPE_OPT = 41;
    public static final int TYPE_IXFR = 251;
    public static final int TYPE_AXFR = 252;
    public static final int TYPE_ANY = 255;

    public static final int CLASS_IN = 1;

    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int NOTIMP = 4;
    public static final int REFUSED = 5;
    /** Extended RCODE 16, carried as 1 in the OPT record's upper RCODE bits (RFC 6891 6.1.3). */
    public static final int BADVERS = 16;

    // Header flag bits, in the 16-bit flags word.
    public static final int QR = 0x8000;
    public static final int AA = 0x0400;
    public static final int TC = 0x0200;
    public static final int RD = 0x0100;
    public static final int RA = 0x0080;
    public static final int CD = 0x0010;
    /** The DO bit in the OPT record's TTL field (RFC 3225). */
    public static final int DO = 0x8000;

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, long v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
