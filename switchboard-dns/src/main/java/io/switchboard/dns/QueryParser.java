package io.switchboard.dns;

/**
 * Strict parser of a DNS query (RFC 1035 4.1, EDNS0 per RFC 6891): a header, exactly one
 * question, no answer or authority records, and an additional section whose only understood
 * record is one OPT. Compression pointers are refused in the question (the first name of a message
 * has nothing before it to point at) and never followed elsewhere (names of other records are only
 * skipped), so there is nothing to loop on; every read is bounds-checked against {@code len}.
 * Refusals are the shared {@link DnsFormatException} constants: parsing allocates nothing.
 * Stateless; thread-safe.
 */
public final class QueryParser {
    private QueryParser() {}

    /** Upper bound of additional records we walk (an OPT, maybe a TSIG or two); more is FORMERR. */
    static final int MAX_ADDITIONAL = 4;

    /**
     * Parses {@code buf[0, len)} into {@code q}.
     *
     * @throws DnsFormatException with the RCODE to answer, or {@link DnsFormatException#SILENCE}
     */
    public static void parse(byte[] buf, int len, Query q) throws DnsFormatException {
        if (len < Wire.HEADER || len > buf.length) {
            throw DnsFormatException.SHORT;
        }
        int flags = Wire.u16(buf, 2);
        if ((flags & Wire.QR) != 0) {
            throw DnsFormatException.RESPONSE;
        }
        q.id = Wire.u16(buf, 0);
        q.flags = flags;
        q.edns = false;
        q.udpPayload = Wire.CLASSIC_UDP;
        q.dnssecOk = false;
        q.ednsVersion = 0;
        q.labels = 0;
        q.nameEnd = Wire.HEADER;
        q.questionEnd = Wire.HEADER;
        if (((flags >>> 11) & 0xF) != 0) {
            throw DnsFormatException.OPCODE;
        }
        if (Wire.u16(buf, 4) != 1) {
            throw DnsFormatException.QDCOUNT;
        }
        if (Wire.u16(buf, 6) != 0 || Wire.u16(buf, 8) != 0) {
            throw DnsFormatException.SECTIONS;
        }
        int arcount = Wire.u16(buf, 10);
        int p = Wire.HEADER;
        int labels = 0;
        while (true) {
            if (p >= len) {
                throw DnsFormatException.TRUNCATED;
            }
            int l = buf[p] & 0xFF;
            if (l == 0) {
                p++;
                break;
            }
            if (l > Wire.MAX_LABEL) {
                throw DnsFormatException.LABEL;
            }
            // 255 counts the root byte too: a name whose labels end past 12+254 cannot fit.
            if (p + 1 + l - Wire.HEADER > Wire.MAX_NAME - 1) {
                throw DnsFormatException.NAME_LENGTH;
            }
            q.labelStart[labels++] = p;
            p += 1 + l;
        }
        q.labels = labels;
        q.nameEnd = p;
        if (p + 4 > len) {
            throw DnsFormatException.TRUNCATED;
        }
        q.qtype = Wire.u16(buf, p);
        q.qclass = Wire.u16(buf, p + 2);
        p += 4;
        q.questionEnd = p;
        if (q.qtype == Wire.TYPE_OPT) {
            throw DnsFormatException.QTYPE;
        }
        if (arcount > MAX_ADDITIONAL) {
            throw DnsFormatException.ADDITIONAL;
        }
        boolean badVersion = false;
        for (int i = 0; i < arcount; i++) {
            int owner = p;
            p = skipName(buf, p, len);
            if (p + 10 > len) {
                throw DnsFormatException.TRUNCATED;
            }
            int type = Wire.u16(buf, p);
            int rdlen = Wire.u16(buf, p + 8);
            if (p + 10 + rdlen > len) {
                throw DnsFormatException.TRUNCATED;
            }
            if (type == Wire.TYPE_OPT) {
                if (q.edns) {
                    throw DnsFormatException.OPT_TWICE;
                }
                if (p != owner + 1 || buf[owner] != 0) {
                    throw DnsFormatException.OPT_OWNER;
                }
                q.edns = true;
                // RFC 6891 6.2.5: values below 512 are treated as 512.
                q.udpPayload = Math.max(Wire.CLASSIC_UDP, Wire.u16(buf, p + 2));
                q.ednsVersion = buf[p + 5] & 0xFF;
                q.dnssecOk = (Wire.u16(buf, p + 6) & Wire.DO) != 0;
                badVersion = q.ednsVersion != 0;
            }
            p += 10 + rdlen;
        }
        if (p != len) {
            throw DnsFormatException.TRAILING;
        }
        if (badVersion) {
            throw DnsFormatException.BADVERS;
        }
    }

    /**
     * Skips a name that may end in a compression pointer; the pointer is not followed (its target
     * does not matter to us), which is what makes pointer loops harmless.
     */
    private static int skipName(byte[] buf, int p, int len) throws DnsFormatException {
        int start = p;
        while (true) {
            if (p >= len) {
                throw DnsFormatException.TRUNCATED;
            }
            int l = buf[p] & 0xFF;
            if (l == 0) {
                return p + 1;
            }
            if ((l & 0xC0) == 0xC0) {
                if (p + 2 > len) {
                    throw DnsFormatException.TRUNCATED;
                }
                return p + 2;
            }
            if (l > Wire.MAX_LABEL) {
                throw DnsFormatException.LABEL;
            }
            p += 1 + l;
            if (p - start > Wire.MAX_NAME - 1) {
                throw DnsFormatException.NAME_LENGTH;
            }
        }
    }
}
