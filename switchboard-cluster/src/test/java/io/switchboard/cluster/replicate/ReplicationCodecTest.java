package io.switchboard.cluster.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.AdminState;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ReplicationCodecTest {
    private static final LoadReport REPORT = new LoadReport(0, 42, 0.25, 1.5, 4, 3, 1L << 33, 120, 7, LoadReport.UNKNOWN,
            50, 100, AgentState.DRAIN);

    private static final List<Update> ONE_OF_EACH = List.of(
            new Update.Stick("app", "user-17", "s1"),
            new Update.Forget("app", "user-18"),
            new Update.Admin("app", "s2", AdminState.DRAIN, "deploy ü"),
            new Update.Weight("app", "s3", 256),
            new Update.Load("app", "s1", 1_500_000, REPORT),
            new Update.Probe("api", "s4", false, "connect refused"),
            new Update.Probe("api", "s4", true, ""));

    @Test
    void everyKindRoundTripsInOneMessage() throws Exception {
        ReplicationCodec.Encoded e = ReplicationCodec.encode(ONE_OF_EACH);
        assertThat(e.skipped()).isZero();
        assertThat(e.messages()).hasSize(1);
        assertThat(e.messages().getFirst()[0]).isEqualTo((byte) ReplicationCodec.VERSION);
        assertThat(ReplicationCodec.decode(e.messages().getFirst())).isEqualTo(ONE_OF_EACH);
    }

    /**
     * The wire format pinned byte for byte, one message per kind: members of different builds must
     * read each other, so a change here is a new {@link ReplicationCodec#VERSION}, never an edit.
     * Each hex string is header (version, count), type, then the fields in the order the class
     * comment gives.
     */
    @Test
    void eachKindEncodesToExactlyTheseBytes() throws Exception {
        Map<Update, String> pinned = new LinkedHashMap<>();
        pinned.put(ONE_OF_EACH.get(0), "010001" + "01" + "0003617070" + "0007757365722d3137" + "00027331");
        pinned.put(ONE_OF_EACH.get(1), "010001" + "02" + "0003617070" + "0007757365722d3138");
        pinned.put(ONE_OF_EACH.get(2), "010001" + "03" + "0003617070" + "00027332" + "01" + "00096465706c6f7920c3bc");
        pinned.put(ONE_OF_EACH.get(3), "010001" + "04" + "0003617070" + "00027333" + "00000100");
        pinned.put(ONE_OF_EACH.get(4), "010001" + "05" + "0003617070" + "00027331"
                + "000000000016e360" + "000000000000002a" + "3fd0000000000000" + "3ff8000000000000" // age, sequence, cpu, load1
                + "00000004" + "00000003" + "0000000200000000" + "00000078" + "00000007" + "ffffffff" // cpus, runnable, mem, tcp, busy, idle
                + "00000032" + "00000064" + "04"); // weight %, maxconn, agent state
        pinned.put(ONE_OF_EACH.get(5), "010001" + "06" + "0003617069" + "00027334" + "00" + "000f636f6e6e6563742072656675736564");
        pinned.put(ONE_OF_EACH.get(6), "010001" + "06" + "0003617069" + "00027334" + "01" + "0000");
        assertThat(pinned.keySet().stream().map(u -> u.getClass()).distinct()).as("every kind").hasSize(6);
        for (Map.Entry<Update, String> e : pinned.entrySet()) {
            byte[] m = ReplicationCodec.encode(List.of(e.getKey())).messages().getFirst();
            assertThat(HexFormat.of().formatHex(m)).as("%s", e.getKey()).isEqualTo(e.getValue());
            assertThat(ReplicationCodec.decode(HexFormat.of().parseHex(e.getValue()))).containsExactly(e.getKey());
        }
    }

    @Test
    void manyUpdatesAreSplitIntoBoundedMessagesInOrder() throws Exception {
        List<Update> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) many.add(new Update.Stick("app", "key-" + i + "-" + "x".repeat(40), "server-" + (i % 7)));
        ReplicationCodec.Encoded e = ReplicationCodec.encode(many);
        assertThat(e.messages()).hasSizeGreaterThan(2);
        List<Update> back = new ArrayList<>();
        for (byte[] m : e.messages()) {
            assertThat(m.length).isLessThanOrEqualTo(ReplicationCodec.MAX_MESSAGE_BYTES);
            back.addAll(ReplicationCodec.decode(m));
        }
        assertThat(back).isEqualTo(many);
    }

    @Test
    void overLongNamesAreSkippedAndLongTextsCut() throws Exception {
        String longName = "p".repeat(ReplicationCodec.MAX_NAME_BYTES + 1);
        String longCause = "é".repeat(ReplicationCodec.MAX_TEXT_BYTES);
        ReplicationCodec.Encoded e = ReplicationCodec.encode(List.of(
                new Update.Stick(longName, "k", "s1"),
                new Update.Admin("app", "s1", AdminState.MAINT, longCause)));
        assertThat(e.skipped()).isEqualTo(1);
        List<Update> back = ReplicationCodec.decode(e.messages().getFirst());
        assertThat(back).hasSize(1);
        Update.Admin a = (Update.Admin) back.getFirst();
        assertThat(a.cause()).isEqualTo("é".repeat(ReplicationCodec.MAX_TEXT_BYTES / 2));
    }

    @Test
    void everyTruncationOfAValidMessageIsRefusedAsMalformed() {
        byte[] whole = ReplicationCodec.encode(ONE_OF_EACH).messages().getFirst();
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            assertThatThrownBy(() -> ReplicationCodec.decode(cut))
                    .as("prefix of %d bytes", n)
                    .isInstanceOf(ReplicationCodec.MalformedUpdateException.class);
        }
    }

    @Test
    void headerErrorsAreRefusedWithWhatWasWrong() {
        byte[] valid = ReplicationCodec.encode(List.of(new Update.Forget("app", "k"))).messages().getFirst();
        byte[] version = valid.clone();
        version[0] = 2;
        assertThatThrownBy(() -> ReplicationCodec.decode(version)).hasMessageContaining("version 2");
        byte[] zero = valid.clone();
        zero[1] = 0;
        zero[2] = 0;
        assertThatThrownBy(() -> ReplicationCodec.decode(zero)).hasMessageContaining("claims 0 updates");
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertThatThrownBy(() -> ReplicationCodec.decode(trailing)).hasMessageContaining("1 bytes left over");
        byte[] huge = new byte[ReplicationCodec.MAX_MESSAGE_BYTES + 1];
        huge[0] = 1;
        assertThatThrownBy(() -> ReplicationCodec.decode(huge)).hasMessageContaining("over the limit");
        assertThatThrownBy(() -> ReplicationCodec.decode(null)).isInstanceOf(ReplicationCodec.MalformedUpdateException.class);
    }

    @Test
    void valuesOutOfRangeAreRefused() throws IOException {
        assertThatThrownBy(() -> ReplicationCodec.decode(message(out -> {
            out.writeByte(ReplicationCodec.WEIGHT);
            out.writeUTF("app");
            out.writeUTF("s1");
            out.writeInt(-1);
        }))).hasMessageContaining("weight -1 out of range");
        assertThatThrownBy(() -> ReplicationCodec.decode(message(out -> {
            out.writeByte(ReplicationCodec.ADMIN);
            out.writeUTF("app");
            out.writeUTF("s1");
            out.writeByte(9);
            out.writeUTF("");
        }))).hasMessageContaining("admin state code 9");
        assertThatThrownBy(() -> ReplicationCodec.decode(message(out -> {
            out.writeByte(77);
        }))).hasMessageContaining("unknown type 77");
        assertThatThrownBy(() -> ReplicationCodec.decode(message(out -> {
            out.writeByte(ReplicationCodec.STICK);
            out.writeUTF("app");
            out.writeUTF("k".repeat(ReplicationCodec.MAX_KEY_BYTES + 1));
            out.writeUTF("s1");
        }))).hasMessageContaining("key of " + (ReplicationCodec.MAX_KEY_BYTES + 1) + " bytes");
        assertThatThrownBy(() -> ReplicationCodec.decode(message(out -> {
            out.writeByte(ReplicationCodec.FORGET);
            out.writeUTF("");
            out.writeUTF("k");
        }))).hasMessageContaining("empty pool or server name");
        // a report the balancer would refuse itself: CPU busy over 1
        byte[] load = ReplicationCodec.encode(List.of(new Update.Load("app", "s1", 0, REPORT))).messages().getFirst();
        int cpuBusyAt = 3 + 1 + (2 + 3) + (2 + 2) + 8 + 8;
        byte[] twice = new byte[8];
        long bits = Double.doubleToLongBits(2.0);
        for (int i = 0; i < 8; i++) twice[i] = (byte) (bits >>> (56 - 8 * i));
        System.arraycopy(twice, 0, load, cpuBusyAt, 8);
        assertThatThrownBy(() -> ReplicationCodec.decode(load)).hasMessageContaining("cpu busy 2.0");
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ReplicationCodec.VERSION);
            out.writeShort(1);
            body.write(out);
        }
        return bytes.toByteArray();
    }

    @Property(tries = 300)
    void anyBytesDecodeOrAreRefusedNeverAnotherException(@ForAll byte[] noise, @ForAll boolean validHeader) {
        byte[] m = noise.clone();
        if (validHeader && m.length >= 3) {
            m[0] = (byte) ReplicationCodec.VERSION;
            m[1] = 0;
        }
        try {
            ReplicationCodec.decode(m);
        } catch (ReplicationCodec.MalformedUpdateException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 200)
    void randomUpdatesRoundTrip(@ForAll("updates") List<Update> updates) throws Exception {
        List<Update> back = new ArrayList<>();
        for (byte[] m : ReplicationCodec.encode(updates).messages()) back.addAll(ReplicationCodec.decode(m));
        assertThat(back).isEqualTo(updates);
    }

    @Provide
    Arbitrary<List<Update>> updates() {
        Arbitrary<String> name = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(60);
        Arbitrary<Update> stick = Combinators.combine(name, text, name).as(Update.Stick::new);
        Arbitrary<Update> forget = Combinators.combine(name, text).as(Update.Forget::new);
        Arbitrary<Update> admin = Combinators.combine(name, name, Arbitraries.of(AdminState.class), text).as(Update.Admin::new);
        Arbitrary<Update> weight = Combinators.combine(name, name, Arbitraries.integers().between(0, 256)).as(Update.Weight::new);
        Arbitrary<Update> probe = Combinators.combine(name, name, Arbitraries.of(true, false), text).as(Update.Probe::new);
        Arbitrary<Update> load = Combinators.combine(name, name, Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.integers().between(-1, 25600), Arbitraries.of(AgentState.class))
                .as((p, s, age, pct, st) -> new Update.Load(p, s, age,
                        new LoadReport(0, 1, Double.NaN, 0.5, 2, 1, 10, 3, 4, 5, pct, -1, st)));
        return Arbitraries.oneOf(stick, forget, admin, weight, probe, load).list().ofMaxSize(30);
    }
}
