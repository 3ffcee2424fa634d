package io.switchboard.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetAddress;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * Fuzzes {@link QueryParser} and the whole {@link Responder} with arbitrary bytes: parsing ends in
 * a parsed query or a {@link DnsFormatException}, never another exception, never a loop (Jazzer
 * reports timeouts) and never an out-of-bounds read; every response written is at most the UDP
 * limit and is a message dnsjava can decode, with QR set and the query's ID. Seeds in
 * {@code QueryParserFuzzTestInputs/parse/}. In the default build this runs in fuzzing mode for a
 * bounded time, in a JVM of its own.
 */
class QueryParserFuzzTest {
    private static final Responder RESPONDER = new Responder(DnsFixture.authority());
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
    private static final Query QUERY = new Query();
    private static final byte[] OUT = new byte[Responder.MAX_MESSAGE];

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) throws IOException {
        try {
            QueryParser.parse(input, input.length, QUERY);
            assertThat(QUERY.questionEnd()).isBetween(17, input.length);
        } catch (DnsFormatException refused) {
            assertThat(refused.rcode()).isIn(DnsFormatException.SILENCE, Wire.FORMERR, Wire.NOTIMP, Wire.BADVERS);
        }
        for (boolean tcp : new boolean[] {false, true}) {
            int n = RESPONDER.respond(input, input.length, OUT, ResponseRateLimiter.networkKey(CLIENT), tcp);
            if (n < 0) {
                continue;
            }
            if (!tcp) {
                assertThat(n).isLessThanOrEqualTo(Wire.DEFAULT_EDNS_UDP);
            }
            byte[] r = new byte[n];
            System.arraycopy(OUT, 0, r, 0, n);
            Message m = new Message(r);
            assertThat(m.getHeader().getID()).isEqualTo(((input[0] & 0xFF) << 8) | (input[1] & 0xFF));
            assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        }
    }
}
