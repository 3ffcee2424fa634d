package io.switchboard.bench.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import io.switchboard.dns.Authority;
import io.switchboard.dns.DnsServer;
import io.switchboard.dns.PoolName;
import io.switchboard.dns.Responder;
import io.switchboard.dns.ResponseRateLimiter;
import io.switchboard.dns.SoaSpec;
import io.switchboard.dns.ZoneSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Parse plus answer of one typical query — A for a pool name with 3 healthy servers, no EDNS —
 * from the datagram's bytes to the response's bytes, three ways: the switchboard-dns engine
 * (precomputed answer bytes, question copied), Netty's codec (DatagramDnsQueryDecoder and
 * DatagramDnsResponseEncoder in an EmbeddedChannel, as a server pipeline would run them, with a
 * DatagramDnsResponse of 3 raw A records built per query), and dnsjava (Message(byte[]), a
 * response Message with 3 ARecords, toWire(512)). The libraries rebuild the records per query
 * because that is their model; caching them would be building our engine again.
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar DnsAnswerBenchmark -f1 -wi 2 -i 3 -prof gc}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class DnsAnswerBenchmark {
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    byte[] query;
    byte[] ednsQuery;
    byte[] nxdomainQuery;
    byte[] out;
    Responder responder;
    long clientNetwork;
    EmbeddedChannel netty;
    byte[][] addresses;
    InetAddress[] inetAddresses;

    @Setup
    public void setUp() throws IOException {
        List<DnsServer> servers = List.of(
                new DnsServer("web1", InetAddress.getByName("10.0.0.1"), 80, 1, true),
                new DnsServer("web2", InetAddress.getByName("10.0.0.2"), 80, 1, true),
                new DnsServer("web3", InetAddress.getByName("10.0.0.3"), 80, 1, true));
        ZoneSpec zone = new ZoneSpec("example.com", SoaSpec.defaults("ns1", "hostmaster"), List.of("ns1"),
                List.of(new PoolName("www", "web")), List.of(), List.of());
        Authority authority = new Authority(List.of(zone));
        authority.updatePool("web", servers);
        responder = new Responder(authority);
        out = new byte[Responder.MAX_MESSAGE];
        clientNetwork = ResponseRateLimiter.networkKey(CLIENT.getAddress());
        query = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN)).toWire();
        Message edns = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN));
        edns.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        ednsQuery = edns.toWire();
        nxdomainQuery = Message.newQuery(Record.newRecord(Name.fromString("a.b.nope.example.com."), Type.A, DClass.IN)).toWire();
        netty = new EmbeddedChannel(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder());
        inetAddresses = servers.stream().map(DnsServer::address).toArray(InetAddress[]::new);
        addresses = servers.stream().map(s -> s.address().getAddress()).toArray(byte[][]::new);
        if (engine() <= 0 || engineEdns() <= 0 || engineNxdomain() <= 0 || netty() <= 0 || dnsjava() <= 0) {
            throw new IllegalStateException("a contender wrote no answer");
        }
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    public int engine() {
        return responder.respond(query, query.length, out, clientNetwork, false);
    }

    /** The same with an OPT record in query and answer, as resolvers send. */
    @Benchmark
    public int engineEdns() {
        return responder.respond(ednsQuery, ednsQuery.length, out, clientNetwork, false);
    }

    /** NXDOMAIN three labels below the apex: the lookup walks up to the zone and appends the SOA. */
    @Benchmark
    public int engineNxdomain() {
        return responder.respond(nxdomainQuery, nxdomainQuery.length, out, clientNetwork, false);
    }

    @Benchmark
    public int netty() {
        netty.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(query), SERVER, CLIENT));
        DatagramDnsQuery q = netty.readInbound();
        DnsQuestion question = q.recordAt(DnsSection.QUESTION);
        DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id());
        r.setAuthoritativeAnswer(true);
        r.setRecursionDesired(q.isRecursionDesired());
        r.addRecord(DnsSection.QUESTION, question);
        for (byte[] a : addresses) {
            r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 30, Unpooled.wrappedBuffer(a)));
        }
        q.release();
        netty.writeOutbound(r);
        DatagramPacket p = netty.readOutbound();
        ByteBuf content = p.content();
        int n = content.readableBytes();
        p.release();
        return n;
    }

    @Benchmark
    public int dnsjava() {
        try {
            Message q = new Message(query);
            Record question = q.getQuestion();
            Message r = new Message(q.getHeader().getID());
            r.getHeader().setFlag(Flags.QR);
            r.getHeader().setFlag(Flags.AA);
            if (q.getHeader().getFlag(Flags.RD)) {
                r.getHeader().setFlag(Flags.RD);
            }
            r.addRecord(question, Section.QUESTION);
            for (InetAddress a : inetAddresses) {
                r.addRecord(new ARecord(question.getName(), DClass.IN, 30, a), Section.ANSWER);
            }
            return r.toWire(512).length;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps the JIT from discarding a contender whose result is only checked in setup. */
    @Benchmark
    public void baseline(Blackhole bh) {
        bh.consume(query.length);
    }
}
