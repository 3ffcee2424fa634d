package io.switchboard.dns;

/**
 * The parser's refusal of a message: the response code to answer with, or {@link #SILENCE} when
 * nothing must be sent (not even a header could be read, or the message is itself a response).
 * The instances are shared constants without a stack trace, so a flood of garbage allocates
 * nothing. Immutable; safe to share between threads.
 */
public final class DnsFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** No answer at all. */
    public static final int SILENCE = -1;

    static final DnsFormatException SHORT = new DnsFormatException(SILENCE,
            "shorter than the 12-byte DNS header: dropped");
    static final DnsFormatException RESPONSE = new DnsFormatException(SILENCE,
            "QR=1 (a response, not a query): dropped so that two servers cannot ping-pong");
    static final DnsFormatException OPCODE = new DnsFormatException(Wire.NOTIMP,
            "opcode other than QUERY (0): only standard queries are implemented");
    static final DnsFormatException QDCOUNT = new DnsFormatException(Wire.FORMERR,
            "QDCOUNT must be exactly 1");
    static final DnsFormatException SECTIONS = new DnsFormatException(Wire.FORMERR,
            "a query must have ANCOUNT=0 and NSCOUNT=0");
    static final DnsFormatException TRUNCATED = new DnsFormatException(Wire.FORMERR,
            "message ends inside a name or record");
    static final DnsFormatException LABEL = new DnsFormatException(Wire.FORMERR,
            "question name: label type other than a plain label (compression pointers are not allowed in a question)");
    static final DnsFormatException NAME_LENGTH = new DnsFormatException(Wire.FORMERR,
            "name longer than 255 bytes on the wire");
    static final DnsFormatException QTYPE = new DnsFormatException(Wire.FORMERR,
            "question type OPT (41) is only valid as a record in the additional section");
    static final DnsFormatException OPT_TWICE = new DnsFormatException(Wire.FORMERR,
            "more than one OPT record");
    static final DnsFormatException OPT_OWNER = new DnsFormatException(Wire.FORMERR,
            "OPT record owner must be the root name");
    static final DnsFormatException ADDITIONAL = new DnsFormatException(Wire.FORMERR,
            "more than " + QueryParser.MAX_ADDITIONAL + " additional records in a query");
    static final DnsFormatException TRAILING = new DnsFormatException(Wire.FORMERR,
            "bytes after the last record");
    static final DnsFormatException BADVERS = new DnsFormatException(Wire.BADVERS,
            "EDNS version other than 0");

    private final int rcode;

    private DnsFormatException(int rcode, String message) {
        super(message, null, false, false);
        this.rcode = rcode;
    }

    /** The RCODE to answer with (FORMERR, NOTIMP, BADVERS), or {@link #SILENCE}. */
    public int rcode() {
        return rcode;
    }
}
