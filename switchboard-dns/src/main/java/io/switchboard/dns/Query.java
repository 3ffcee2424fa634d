package io.switchboard.dns;

/**
 * One parsed query, as offsets into the caller's buffer: the question name is not copied, so the
 * answer can repeat it byte for byte (0x20 case randomisation survives). Mutable and reused: one
 * instance per thread, filled by {@link QueryParser#parse}.
 */
public final class Query {
    int id;
    int flags;
    /** Index just past the question name's root label; the name starts at offset 12. */
    int nameEnd;
    /** Index just past QTYPE and QCLASS. */
    int questionEnd;
    int qtype;
    int qclass;
    int labels;
    /** Start offset of each label of the question name, for walking up to the enclosing zone. */
    final int[] labelStart = new int[128];
    boolean edns;
    int udpPayload;
    boolean dnssecOk;
    int ednsVersion;

    public int id() {
        return id;
    }

    public int qtype() {
        return qtype;
    }

    public int qclass() {
        return qclass;
    }

    /** Length of the question name on the wire, root label included. */
    public int nameLength() {
        return nameEnd - Wire.HEADER;
    }

    public boolean recursionDesired() {
        return (flags & Wire.RD) != 0;
    }

    public boolean edns() {
        return edns;
    }

    /** The requestor's UDP payload size from its OPT record; 512 without one. */
    public int udpPayload() {
        return udpPayload;
    }

    public boolean dnssecOk() {
        return dnssecOk;
    }

    public int questionEnd() {
        return questionEnd;
    }
}
