package io.switchboard.dns;

import static io.switchboard.dns.DnsFixture.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class QueryParserTest {
    private final Query q = new Query();

    private int refusal(byte[] b) {
        DnsFormatException e = catchThrowableOfType(DnsFormatException.class, () -> QueryParser.parse(b, b.length, q));
        assertThat(e).as("expected a refusal").isNotNull();
        return e.rcode();
    }

    /** A query with a hand-made question name (wire bytes after the header). */
    private static byte[] raw(int qdcount, int arcount, byte[] name, int type) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, (byte) qdcount, 0, 0, 0, 0, 0, (byte) arcount});
        b.writeBytes(name);
        b.writeBytes(new byte[] {0, (byte) type, 0, 1});
        return b.toByteArray();
    }

    @Test
    void parsesHeaderQuestionAndOpt() throws Exception {
        byte[] b = query("www.Example.com.", Type.AAAA, true, 4096);
        QueryParser.parse(b, b.length, q);
        assertThat(q.qtype()).isEqualTo(Type.AAAA);
        assertThat(q.qclass()).isEqualTo(1);
        assertThat(q.nameLength()).isEqualTo(17);
        assertThat(q.labels).isEqualTo(3);
        assertThat(q.questionEnd()).isEqualTo(12 + 17 + 4);
        assertThat(q.recursionDesired()).isTrue();
        assertThat(q.edns()).isTrue();
        assertThat(q.udpPayload()).isEqualTo(4096);
        assertThat(q.dnssecOk()).isTrue();
    }

    @Test
    void withoutOptThePayloadIs512AndSmallOptPayloadsCountAs512() throws Exception {
        byte[] b = query("a.example.com.", Type.A);
        QueryParser.parse(b, b.length, q);
        assertThat(q.edns()).isFalse();
        assertThat(q.udpPayload()).isEqualTo(512);
        byte[] small = query("a.example.com.", Type.A, true, 100);
        QueryParser.parse(small, small.length, q);
        assertThat(q.udpPayload()).isEqualTo(512);
    }

    @Test
    void runtsAndResponsesAreSilent() {
        assertThat(refusal(new byte[11])).isEqualTo(DnsFormatException.SILENCE);
        byte[] b = query("a.example.com.", Type.A);
        b[2] |= (byte) 0x80;
        assertThat(refusal(b)).isEqualTo(DnsFormatException.SILENCE);
    }

    @Test
    void otherOpcodesAreNotimp() {
        byte[] b = query("a.example.com.", Type.A);
        b[2] = (byte) (4 << 3); // NOTIFY
        assertThat(refusal(b)).isEqualTo(Wire.NOTIMP);
    }

    @Test
    void exactlyOneQuestionAndNoAnswerOrAuthorityRecords() {
        assertThat(refusal(raw(0, 0, new byte[] {0}, 1))).isEqualTo(Wire.FORMERR);
        assertThat(refusal(raw(2, 0, new byte[] {0}, 1))).isEqualTo(Wire.FORMERR);
        byte[] b = query("a.example.com.", Type.A);
        b[7] = 1;
        assertThat(refusal(b)).isEqualTo(Wire.FORMERR);
    }

    @Test
    void compressionPointerInTheQuestionIsRefusedSoItCannotLoop() {
        // The name points at itself: a parser that followed pointers would loop.
        assertThat(refusal(raw(1, 0, new byte[] {(byte) 0xC0, 12}, 1))).isEqualTo(Wire.FORMERR);
        assertThat(refusal(raw(1, 0, new byte[] {1, 'a', (byte) 0xC0, 12}, 1))).isEqualTo(Wire.FORMERR);
        assertThat(refusal(raw(1, 0, new byte[] {(byte) 0x41, 0}, 1))).isEqualTo(Wire.FORMERR);
    }

    @Test
    void nameOf255BytesIsAcceptedAnd256Refused() throws Exception {
        // 4 labels of 63 = 256 bytes with lengths, root makes 257; 3x63 + 61 + root = 255.
        byte[] ok = name(new int[] {63, 63, 63, 61});
        assertThat(ok.length).isEqualTo(255);
        byte[] b = raw(1, 0, ok, 1);
        QueryParser.parse(b, b.length, q);
        assertThat(q.nameLength()).isEqualTo(255);
        byte[] tooLong = name(new int[] {63, 63, 63, 62});
        assertThat(tooLong.length).isEqualTo(256);
        assertThat(refusal(raw(1, 0, tooLong, 1))).isEqualTo(Wire.FORMERR);
    }

    private static byte[] name(int[] labels) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int l : labels) {
            b.write(l);
            byte[] x = new byte[l];
            Arrays.fill(x, (byte) 'a');
            b.writeBytes(x);
        }
        b.write(0);
        return b.toByteArray();
    }

    @Test
    void everyTruncationOfAValidQueryIsRefusedNotThrown() {
        byte[] b = query("www.example.com.", Type.A, true, 1232);
        for (int len = 0; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            int rcode = refusal(cut);
            assertThat(rcode).isEqualTo(len < 12 ? DnsFormatException.SILENCE : Wire.FORMERR);
        }
    }

    @Test
    void trailingBytesAreFormerr() {
        byte[] b = query("www.example.com.", Type.A);
        assertThat(refusal(Arrays.copyOf(b, b.length + 1))).isEqualTo(Wire.FORMERR);
    }

    @Test
    void twoOptRecordsAndAnOptWithANonRootOwnerAreFormerr() {
        byte[] b = query("www.example.com.", Type.A, true, 1232);
        byte[] opt = Arrays.copyOfRange(b, b.length - 11, b.length);
        byte[] two = Arrays.copyOf(b, b.length + 11);
        System.arraycopy(opt, 0, two, b.length, 11);
        two[11] = 2;
        assertThat(refusal(two)).isEqualTo(Wire.FORMERR);
        byte[] owner = Arrays.copyOf(b, b.length + 2);
        System.arraycopy(opt, 0, owner, b.length - 11 + 2, 11);
        owner[b.length - 11] = 1;
        owner[b.length - 10] = 'x';
        owner[b.length - 9] = 0;
        System.arraycopy(opt, 1, owner, b.length - 8, 10);
        assertThat(refusal(owner)).isEqualTo(Wire.FORMERR);
    }

    @Test
    void ednsVersionOtherThanZeroIsBadversAfterTheQuestionWasRead() {
        byte[] b = query("www.example.com.", Type.A, true, 1232);
        b[b.length - 5] = 1;
        assertThat(refusal(b)).isEqualTo(Wire.BADVERS);
        assertThat(q.questionEnd()).isEqualTo(12 + 17 + 4);
        assertThat(q.edns()).isTrue();
    }

    @Test
    void optTypeAsTheQuestionIsFormerr() {
        assertThat(refusal(raw(1, 0, new byte[] {0}, 41))).isEqualTo(Wire.FORMERR);
    }
}
