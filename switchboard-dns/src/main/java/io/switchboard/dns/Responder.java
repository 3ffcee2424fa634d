package io.switchboard.dns;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Answers one DNS message: parse, look the name up in the current {@link ZoneSnapshot}, and write
 * the response as header and question copied from the query (the name exactly as received, which
 * keeps 0x20 case randomisation) followed by precomputed records. Per query there is no object
 * graph: one array copy for the question, one for the answer, a few header bytes.
 * <p>Behaviour: AA for names in our zones; RD copied, RA never set (no recursion); CD copied;
 * NXDOMAIN versus NODATA with the zone's SOA in the authority section (negative TTL); REFUSED
 * outside our zones, for classes other than IN and for zone transfers; ANY gets one RRset
 * (RFC 8482); FORMERR (header only) for malformed queries with a readable header; NOTIMP for other
 * opcodes; silence for responses and runts; EDNS0: an OPT in the answer when the query had one,
 * the requestor's payload size honoured up to {@link #maxUdpPayload}, BADVERS for EDNS versions
 * other than 0; on UDP an answer that does not fit is sent with TC=1 and no records, on TCP the
 * limit is the 65535-byte message. Response rate limiting, when given, applies to UDP only.
 * <p>Thread-safety: NOT thread-safe (it reuses one {@link Query}); use one per event-loop thread.
 * The {@link Authority} and {@link ResponseRateLimiter} behind it are shared.
 */
public final class Responder {
    /** The largest DNS message (the TCP length prefix is 16 bits). */
    public static final int MAX_MESSAGE = 65535;
    private static final int OPT_LENGTH = 11;

    private final Authority authority;
    private final ResponseRateLimiter rrl;
    private final int maxUdpPayload;
    private final DnsStats stats;
    private final Query query = new Query();
    private byte[] scratch;

    /**
     * @param rrl null for no rate limiting
     * @param maxUdpPayload the largest UDP answer we send and the size we announce in our OPT
     *     (1232 avoids IP fragmentation on the common paths)
     * @param stats shared counters, or null
     */
    public Responder(Authority authority, ResponseRateLimiter rrl, int maxUdpPayload, DnsStats stats) {
        if (maxUdpPayload < Wire.CLASSIC_UDP || maxUdpPayload > MAX_MESSAGE) {
            throw new IllegalArgumentException("maximum UDP payload must be in 512..65535, got " + maxUdpPayload);
        }
        this.authority = authority;
        this.rrl = rrl;
        this.maxUdpPayload = maxUdpPayload;
        this.stats = stats;
    }

    public Responder(Authority authority, ResponseRateLimiter rrl, int maxUdpPayload) {
        this(authority, rrl, maxUdpPayload, null);
    }

    public Responder(Authority authority) {
        this(authority, null, Wire.DEFAULT_EDNS_UDP, null);
    }

    /**
     * Convenience for callers that do not keep an output buffer: the response as a new array, or
     * null when nothing must be sent.
     */
    public byte[] answer(byte[] query, int len, InetAddress client, boolean tcp) {
        if (scratch == null) {
            scratch = new byte[MAX_MESSAGE];
        }
        int n = respond(query, len, scratch, ResponseRateLimiter.networkKey(client), tcp);
        return n < 0 ? null : Arrays.copyOf(scratch, n);
    }

    /**
     * Writes the response to {@code query[0, len)} into {@code out} from offset 0.
     *
     * @param out at least {@link #MAX_MESSAGE} bytes for TCP, {@code maxUdpPayload} for UDP
     * @param clientNetwork {@link ResponseRateLimiter#networkKey} of the sender
     * @param tcp true for a TCP message (no UDP size limit, no rate limiting)
     * @return the response length, or -1 when nothing must be sent
     */
    public int respond(byte[] query, int len, byte[] out, long clientNetwork, boolean tcp) {
        Query q = this.query;
        try {
            QueryParser.parse(query, len, q);
        } catch (DnsFormatException e) {
            return refusal(query, q, out, e.rcode());
        }
        int limit = tcp ? Math.min(out.length, MAX_MESSAGE) : Math.min(out.length, Math.min(q.udpPayload, maxUdpPayload));
        if (q.qclass != Wire.CLASS_IN || q.qtype == Wire.TYPE_AXFR || q.qtype == Wire.TYPE_IXFR) {
            return finish(query, q, out, limit, false, Wire.REFUSED, null, 0, null, 2L << 40, clientNetwork, tcp);
        }
        ZoneSnapshot s = authority.snapshot();
        Node node = s.find(query, Wire.HEADER, q.nameEnd);
        if (node == null) {
            Zone zone = s.enclosing(query, q);
            if (zone == null) {
                return finish(query, q, out, limit, false, Wire.REFUSED, null, 0, null, 2L << 40, clientNetwork, tcp);
            }
            return finish(query, q, out, limit, true, Wire.NXDOMAIN, null, 0, zone,
                    (1L << 40) | zone.id, clientNetwork, tcp);
        }
        RrSet set = node.get(q.qtype);
        long answerKey = ((long) node.id << 16) | q.qtype;
        if (set == null) {
            return finish(query, q, out, limit, true, Wire.NOERROR, null, 0, node.zone, answerKey, clientNetwork, tcp);
        }
        int v = set.pick();
        return finish(query, q, out, limit, true, Wire.NOERROR, set.variants[v], set.counts[v], null,
                answerKey, clientNetwork, tcp);
    }

    /** FORMERR/NOTIMP: the header only; BADVERS: header, question and an OPT carrying the extended code. */
    private int refusal(byte[] query, Query q, byte[] out, int rcode) {
        if (rcode == DnsFormatException.SILENCE) {
            if (stats != null) {
                stats.countSilenced();
            }
            return -1;
        }
        if (rcode == Wire.BADVERS) {
            return finish(query, q, out, Math.min(out.length, maxUdpPayload), false, Wire.BADVERS, null, 0, null,
                    0, 0, true);
        }
        Arrays.fill(out, 0, Wire.HEADER, (byte) 0);
        out[0] = query[0];
        out[1] = query[1];
        int flags = Wire.QR | (Wire.u16(query, 2) & (0x7800 | Wire.RD)) | rcode;
        Wire.put16(out, 2, flags);
        if (stats != null) {
            stats.countResponse(rcode, false);
        }
        return Wire.HEADER;
    }

    private int finish(byte[] query, Query q, byte[] out, int limit, boolean authoritative, int rcode,
                       byte[] answer, int answerCount, Zone negative, long answerKey,
                       long clientNetwork, boolean tcp) {
        int size = q.questionEnd
                + (answer != null ? answer.length : 0)
                + (negative != null ? 2 + negative.negativeSoaBody.length : 0)
                + (q.edns ? OPT_LENGTH : 0);
        boolean truncate = size > limit;
        if (!tcp && rrl != null) {
            ResponseRateLimiter.Verdict verdict = rrl.check(clientNetwork, answerKey);
            if (verdict == ResponseRateLimiter.Verdict.DROP) {
                if (stats != null) {
                    stats.countRateLimited();
                }
                return -1;
            }
            if (verdict == ResponseRateLimiter.Verdict.SLIP) {
                truncate = true;
                if (stats != null) {
                    stats.countSlipped();
                }
            }
        }
        System.arraycopy(query, 0, out, 0, q.questionEnd);
        int flags = Wire.QR | (q.flags & (Wire.RD | Wire.CD)) | (rcode & 0xF);
        if (authoritative) {
            flags |= Wire.AA;
        }
        int p = q.questionEnd;
        int an = 0;
        int ns = 0;
        if (truncate) {
            flags |= Wire.TC;
        } else {
            if (answer != null) {
                System.arraycopy(answer, 0, out, p, answer.length);
                p += answer.length;
                an = answerCount;
            }
            if (negative != null) {
                // The apex is a suffix of the question name: point at it instead of writing it again.
                Wire.put16(out, p, 0xC000 | (q.nameEnd - negative.apex.length));
                System.arraycopy(negative.negativeSoaBody, 0, out, p + 2, negative.negativeSoaBody.length);
                p += 2 + negative.negativeSoaBody.length;
                ns = 1;
            }
        }
        Wire.put16(out, 2, flags);
        Wire.put16(out, 4, 1);
        Wire.put16(out, 6, an);
        Wire.put16(out, 8, ns);
        Wire.put16(out, 10, q.edns ? 1 : 0);
        if (q.edns) {
            out[p] = 0;
            Wire.put16(out, p + 1, Wire.TYPE_OPT);
            Wire.put16(out, p + 3, maxUdpPayload);
            out[p + 5] = (byte) (rcode >>> 4);
            out[p + 6] = 0;
            Wire.put16(out, p + 7, q.dnssecOk ? Wire.DO : 0);
            Wire.put16(out, p + 9, 0);
            p += OPT_LENGTH;
        }
        if (stats != null) {
            stats.countResponse(rcode, truncate);
        }
        return p;
    }
}
