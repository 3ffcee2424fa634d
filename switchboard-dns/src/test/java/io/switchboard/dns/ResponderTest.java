package io.switchboard.dns;

import static io.switchboard.dns.DnsFixture.CLOCK;
import static io.switchboard.dns.DnsFixture.authority;
import static io.switchboard.dns.DnsFixture.ip;
import static io.switchboard.dns.DnsFixture.parse;
import static io.switchboard.dns.DnsFixture.query;
import static io.switchboard.dns.DnsFixture.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ResponderTest {
    private static final InetAddress CLIENT = ip("127.0.0.1");

    private final Authority authority = authority();
    private final Responder responder = new Responder(authority);

    private Message ask(byte[] q) {
        return parse(responder.answer(q, q.length, CLIENT, false));
    }

    private static List<String> addresses(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            out.add(r instanceof ARecord a ? a.getAddress().getHostAddress() : ((AAAARecord) r).getAddress().getHostAddress());
        }
        return out;
    }

    @Test
    void aQueryForAPoolNameGetsTheHealthyServersAuthoritatively() {
        Message m = ask(query("www.example.com.", Type.A));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(addresses(m)).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(m.getSection(Section.ANSWER)).allSatisfy(r -> {
            assertThat(r.getTTL()).isEqualTo(30);
            assertThat(r.getName().toString()).isEqualTo("www.example.com.");
        });
        assertThat(m.getSection(Section.AUTHORITY)).isEmpty();
    }

    @Test
    void idAndRdAreCopiedAndRaIsNeverSet() {
        byte[] q = query("www.example.com.", Type.A);
        q[0] = 0x12;
        q[1] = 0x34;
        q[2] &= ~0x01; // RD off
        Message m = ask(q);
        assertThat(m.getHeader().getID()).isEqualTo(0x1234);
        assertThat(m.getHeader().getFlag(Flags.RD)).isFalse();
        assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
    }

    @Test
    void questionNameCaseIsKeptByteForByte() {
        byte[] q = query("wWw.ExAmPlE.cOm.", Type.A);
        byte[] r = responder.answer(q, q.length, CLIENT, false);
        Message m = parse(r);
        assertThat(m.getQuestion().getName().toString()).isEqualTo("wWw.ExAmPlE.cOm.");
        assertThat(addresses(m)).hasSize(3);
        int qnameLen = 17;
        assertThat(Arrays.copyOfRange(r, 12, 12 + qnameLen)).isEqualTo(Arrays.copyOfRange(q, 12, 12 + qnameLen));
    }

    @Test
    void unhealthyAndZeroWeightServersAreLeftOutAndTheNextAnswerShowsIt() {
        long before = authority.snapshot().serial("example.com");
        authority.updatePool("web", List.of(
                server("web1", "10.0.0.1", 1, true),
                server("web2", "10.0.0.2", 1, false),
                server("web3", "10.0.0.3", 0, true)));
        assertThat(addresses(ask(query("www.example.com.", Type.A)))).containsExactly("10.0.0.1");
        assertThat(authority.snapshot().serial("example.com")).isGreaterThan(before);
    }

    @Test
    void serialIsMonotonicEvenWhenTheClockStandsStillOrGoesBack() {
        long s0 = authority.snapshot().serial("example.com");
        CLOCK.addAndGet(-1000);
        authority.updatePool("web", List.of(server("web1", "10.0.0.1", 1, true)));
        long s1 = authority.snapshot().serial("example.com");
        authority.updatePool("web", List.of(server("web1", "10.0.0.1", 2, true)));
        long s2 = authority.snapshot().serial("example.com");
        CLOCK.addAndGet(1000);
        assertThat(s1).isEqualTo(s0 + 1);
        assertThat(s2).isEqualTo(s1 + 1);
        assertThat(authority.updatePool("web", List.of(server("web1", "10.0.0.1", 2, true)))).isFalse();
        assertThat(authority.snapshot().serial("example.com")).isEqualTo(s2);
        SOARecord soa = (SOARecord) ask(query("example.com.", Type.SOA)).getSection(Section.ANSWER).get(0);
        assertThat(soa.getSerial()).isEqualTo(s2);
    }

    @Test
    void aReloadKeepsServersAndMovesTheSerialForward() {
        long before = authority.snapshot().serial("example.com");
        ZoneSpec old = DnsFixture.exampleZone();
        List<PoolName> names = new ArrayList<>(old.poolNames());
        names.add(new PoolName("new", "web"));
        authority.reconfigure(List.of(new ZoneSpec("example.com.", old.soa(), old.nameServers(), names, old.srvNames(), old.statics()),
                new ZoneSpec("example.net", old.soa(), List.of("ns1"), List.of(), List.of(), List.of())));
        assertThat(addresses(ask(query("new.example.com.", Type.A)))).hasSize(3);
        assertThat(authority.snapshot().serial("example.com")).isEqualTo(before + 1);
        assertThat(ask(query("example.net.", Type.SOA)).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThatThrownBy(() -> authority.reconfigure(List.of(new ZoneSpec("example.com", old.soa(), old.nameServers(),
                List.of(new PoolName("www.example.org.", "web")), List.of(), List.of()))))
                .hasMessageContaining("www.example.org. is not inside zone example.com");
        assertThat(addresses(ask(query("new.example.com.", Type.A)))).hasSize(3);
    }

    @Test
    void atMostMaxRecordsPerAnswer() {
        assertThat(addresses(ask(query("two.example.com.", Type.A)))).hasSize(2);
    }

    @Test
    void rotationLeadsWithEachServerInProportionToItsWeight() {
        authority.updatePool("web", List.of(
                server("web1", "10.0.0.1", 2, true),
                server("web2", "10.0.0.2", 1, true),
                server("web3", "10.0.0.3", 1, true)));
        Map<String, Integer> first = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String lead = addresses(ask(query("www.example.com.", Type.A))).get(0);
            first.merge(lead, 1, Integer::sum);
            if (i < 4) {
                order.add(lead);
            }
        }
        assertThat(first).containsEntry("10.0.0.1", 200).containsEntry("10.0.0.2", 100).containsEntry("10.0.0.3", 100);
        // Smooth: the heavy server never leads twice in a row within a period of 4.
        assertThat(order).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1");
    }

    @Test
    void aRebuildDoesNotRestartTheRotation() {
        List<String> leads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leads.add(addresses(ask(query("www.example.com.", Type.A))).get(0));
            // A slow-start tick or a probe elsewhere in the pool: a new snapshot every query.
            authority.updatePool("web", List.of(
                    server("web1", "10.0.0.1", 1, true),
                    server("web2", "10.0.0.2", 1, true),
                    server("web3", "10.0.0.3", 1, true),
                    server("web4", "10.0.0.4", 1, i % 2 == 0 ? false : true)));
        }
        assertThat(leads).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    }

    @Test
    void aaaaOnlyFromIpv6ServersAndNodataWithoutThem() {
        Message none = ask(query("www.example.com.", Type.AAAA));
        assertThat(none.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(none.getSection(Section.ANSWER)).isEmpty();
        authority.updatePool("web", List.of(server("web1", "10.0.0.1", 1, true), server("web6", "2001:db8::6", 1, true)));
        assertThat(addresses(ask(query("www.example.com.", Type.AAAA)))).containsExactly("2001:db8:0:0:0:0:0:6");
        assertThat(addresses(ask(query("www.example.com.", Type.A)))).containsExactly("10.0.0.1");
    }

    @Test
    void nxdomainCarriesTheSoaWithTheNegativeTtl() {
        Message m = ask(query("nope.ExAmple.com.", Type.A));
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        List<Record> auth = m.getSection(Section.AUTHORITY);
        assertThat(auth).hasSize(1);
        SOARecord soa = (SOARecord) auth.get(0);
        assertThat(soa.getName().toString().toLowerCase()).isEqualTo("example.com.");
        assertThat(soa.getTTL()).isEqualTo(60); // min(3600, minimum 60)
        assertThat(soa.getMinimum()).isEqualTo(60);
        assertThat(soa.getHost().toString()).isEqualTo("ns1.example.com.");
        assertThat(soa.getAdmin().toString()).isEqualTo("hostmaster.example.com.");
    }

    @Test
    void nxdomainBelowAnExistingNameAndDeepNames() {
        assertThat(ask(query("a.b.c.www.example.com.", Type.A)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void nodataIsNoerrorWithEmptyAnswerAndTheSoa() {
        Message m = ask(query("www.example.com.", Type.TXT));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void emptyNonTerminalIsNodataNotNxdomain() {
        Message m = ask(query("svc.example.com.", Type.A));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        assertThat(ask(query("_tcp.www.example.com.", Type.A)).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void namesOutsideOurZonesAreRefusedWithoutAa() {
        Message m = ask(query("www.example.org.", Type.A));
        assertThat(m.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(ask(query("com.", Type.A)).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(ask(query(".", Type.NS)).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void zoneTransfersAndOtherClassesAreRefused() {
        assertThat(ask(query("example.com.", Type.AXFR)).getRcode()).isEqualTo(Rcode.REFUSED);
        byte[] ch = query("www.example.com.", Type.A);
        ch[ch.length - 1] = 3; // class CH
        assertThat(ask(ch).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void apexAnswersSoaAndNs() {
        Message soa = ask(query("example.com.", Type.SOA));
        assertThat(soa.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
        assertThat(soa.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(3600);
        Message ns = ask(query("example.com.", Type.NS));
        assertThat(ns.getSection(Section.ANSWER)).extracting(r -> r.rdataToString())
                .containsExactly("ns1.example.com.", "ns2.example.net.");
        assertThat(addresses(ask(query("ns1.example.com.", Type.A)))).containsExactly("192.0.2.53");
        assertThat(((TXTRecord) ask(query("info.example.com.", Type.TXT)).getSection(Section.ANSWER).get(0)).getStrings())
                .containsExactly("switchboard");
    }

    @Test
    void srvListsHealthyServersWithPortPriorityWeightAndResolvableTargets() {
        authority.updatePool("web", List.of(
                server("web1", "10.0.0.1", 3, true),
                server("Web 2", "10.0.0.2", 1, true),
                server("web3", "10.0.0.3", 1, false)));
        Message m = ask(query("_http._tcp.www.example.com.", Type.SRV));
        assertThat(m.getSection(Section.ANSWER)).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(SRVRecord.class));
        SRVRecord first = (SRVRecord) m.getSection(Section.ANSWER).get(0);
        assertThat(first.getPriority()).isEqualTo(10);
        assertThat(first.getWeight()).isEqualTo(3);
        assertThat(first.getPort()).isEqualTo(8080);
        assertThat(first.getTarget().toString()).isEqualTo("web1.www.example.com.");
        assertThat(((SRVRecord) m.getSection(Section.ANSWER).get(1)).getTarget().toString()).isEqualTo("web-2.www.example.com.");
        assertThat(addresses(ask(query("web-2.www.example.com.", Type.A)))).containsExactly("10.0.0.2");
    }

    @Test
    void anyGetsOneRrsetOnly() {
        Message m = ask(query("www.example.com.", Type.ANY));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getSection(Section.ANSWER)).isNotEmpty().allSatisfy(r -> assertThat(r.getType()).isEqualTo(Type.A));
        Message apex = ask(query("example.com.", Type.ANY));
        assertThat(apex.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void ednsQueryGetsAnOptWithOurPayloadSizeAndTheDoBitEchoed() {
        Message m = ask(query("www.example.com.", Type.A, true, 4096));
        OPTRecord opt = m.getOPT();
        assertThat(opt).isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(Wire.DEFAULT_EDNS_UDP);
        assertThat(opt.getVersion()).isZero();
        assertThat(opt.getFlags() & ExtendedFlags.DO).isNotZero();
        assertThat(ask(query("www.example.com.", Type.A)).getOPT()).isNull();
    }

    @Test
    void badEdnsVersionIsBadvers() {
        byte[] q = query("www.example.com.", Type.A, true, 1232);
        q[q.length - 5] = 1; // OPT: ext-rcode, version, flags(2), rdlen(2) end the message
        Message m = ask(q);
        assertThat(m.getOPT()).isNotNull();
        assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
    }

    private Authority bigPool(int servers) {
        List<DnsServer> list = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            list.add(server("s" + i, "10.1." + (i / 250) + "." + (i % 250 + 1), 1, true));
        }
        ZoneSpec z = new ZoneSpec("example.com", SoaSpec.defaults("ns1", "hostmaster"), List.of("ns1"),
                List.of(new PoolName("big", "big", 30, 100)), List.of(), List.of());
        Authority a = new Authority(List.of(z), CLOCK::get);
        a.updatePool("big", list);
        return a;
    }

    @Test
    void udpAnswerLargerThan512WithoutEdnsIsTruncatedAndTcpGetsItAll() {
        Responder r = new Responder(bigPool(60)); // 60 x 16 bytes > 512
        byte[] q = query("big.example.com.", Type.A);
        Message udp = parse(r.answer(q, q.length, CLIENT, false));
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udp.getSection(Section.ANSWER)).isEmpty();
        byte[] tcpBytes = r.answer(q, q.length, CLIENT, true);
        Message tcp = parse(tcpBytes);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(tcp.getSection(Section.ANSWER)).hasSize(60);
        assertThat(tcpBytes.length).isGreaterThan(512);
    }

    @Test
    void ednsPayloadSizeIsHonoured() {
        Responder r = new Responder(bigPool(60));
        byte[] q600 = query("big.example.com.", Type.A, true, 600);
        Message small = parse(r.answer(q600, q600.length, CLIENT, false));
        assertThat(small.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(small.getOPT()).isNotNull();
        byte[] q = query("big.example.com.", Type.A, true, 1232);
        byte[] big = r.answer(q, q.length, CLIENT, false);
        assertThat(parse(big).getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(parse(big).getSection(Section.ANSWER)).hasSize(60);
        assertThat(big.length).isLessThanOrEqualTo(1232);
    }

    @Test
    void malformedWithReadableHeaderIsFormerrHeaderOnly() {
        byte[] q = query("www.example.com.", Type.A);
        byte[] cut = Arrays.copyOf(q, 20);
        byte[] r = responder.answer(cut, cut.length, CLIENT, false);
        assertThat(r).hasSize(12);
        Message m = parse(r);
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(m.getHeader().getID()).isEqualTo(((q[0] & 0xFF) << 8) | (q[1] & 0xFF));
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
    }

    @Test
    void otherOpcodesAreNotimp() {
        byte[] q = query("www.example.com.", Type.A);
        q[2] = (byte) ((q[2] & 0x87) | (5 << 3)); // UPDATE
        Message m = parse(responder.answer(q, q.length, CLIENT, false));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOTIMP);
        assertThat(m.getHeader().getOpcode()).isEqualTo(5);
    }

    @Test
    void responsesAndRuntsGetSilence() {
        byte[] q = query("www.example.com.", Type.A);
        q[2] |= (byte) 0x80;
        assertThat(responder.answer(q, q.length, CLIENT, false)).isNull();
        assertThat(responder.answer(new byte[11], 11, CLIENT, false)).isNull();
    }

    @Test
    void rateLimitedUdpIsDroppedOrSlippedButTcpIsNot() {
        long[] now = {0};
        DnsStats stats = new DnsStats();
        Responder r = new Responder(authority, new ResponseRateLimiter(2, 2, 1024, () -> now[0]), 1232, stats);
        byte[] q = query("www.example.com.", Type.A);
        assertThat(r.answer(q, q.length, CLIENT, false)).isNotNull();
        assertThat(r.answer(q, q.length, CLIENT, false)).isNotNull();
        assertThat(r.answer(q, q.length, CLIENT, false)).isNull();
        Message slipped = parse(r.answer(q, q.length, CLIENT, false));
        assertThat(slipped.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(slipped.getSection(Section.ANSWER)).isEmpty();
        assertThat(parse(r.answer(q, q.length, CLIENT, true)).getSection(Section.ANSWER)).hasSize(3);
        assertThat(stats.responses(Rcode.NOERROR)).isEqualTo(4);
        assertThat(stats.rateLimited()).isEqualTo(1);
        assertThat(stats.slipped()).isEqualTo(1);
        assertThat(stats.truncated()).isEqualTo(1);
    }

    @Test
    void statsCountResponsesByRcodeAndSilence() {
        DnsStats stats = new DnsStats();
        Responder r = new Responder(authority, null, 1232, stats);
        byte[] nx = query("nope.example.com.", Type.A);
        r.answer(nx, nx.length, CLIENT, false);
        byte[] refused = query("example.org.", Type.A);
        r.answer(refused, refused.length, CLIENT, false);
        byte[] cut = Arrays.copyOf(query("www.example.com.", Type.A), 14);
        r.answer(cut, cut.length, CLIENT, false);
        r.answer(new byte[3], 3, CLIENT, false);
        assertThat(stats.responses(Rcode.NXDOMAIN)).isEqualTo(1);
        assertThat(stats.responses(Rcode.REFUSED)).isEqualTo(1);
        assertThat(stats.responses(Rcode.FORMERR)).isEqualTo(1);
        assertThat(stats.responses(Rcode.NOERROR)).isZero();
        assertThat(stats.silenced()).isEqualTo(1);
    }
}
