package io.switchboard.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Test zones and dnsjava-built queries: dnsjava is the independent encoder and decoder. */
final class DnsFixture {
    private DnsFixture() {}

    static final AtomicLong CLOCK = new AtomicLong(1_800_000_000L);

    static ZoneSpec exampleZone() {
        return new ZoneSpec("example.com",
                new SoaSpec("ns1", "hostmaster", 3600, 3600, 600, 1209600, 60),
                List.of("ns1", "ns2.example.net."),
                List.of(new PoolName("www", "web", 30, 8), new PoolName("two", "web", 20, 2),
                        new PoolName("api.svc", "api")),
                List.of(new SrvName("_http._tcp.www", "web", 0, 10, 30)),
                List.of(StaticRecord.address("ns1", 3600, ip("192.0.2.53")),
                        StaticRecord.txt("info", 300, "switchboard")));
    }

    static Authority authority() {
        Authority a = new Authority(List.of(exampleZone()), CLOCK::get);
        a.updatePool("web", List.of(
                server("web1", "10.0.0.1", 1, true),
                server("web2", "10.0.0.2", 1, true),
                server("web3", "10.0.0.3", 1, true)));
        return a;
    }

    static DnsServer server(String name, String ip, int weight, boolean eligible) {
        return new DnsServer(name, ip(ip), 8080, weight, eligible);
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] query(String name, int type) {
        return query(name, type, false, 0);
    }

    static byte[] query(String name, int type, boolean edns, int payload) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
            if (edns) {
                m.addRecord(new OPTRecord(payload, 0, 0, Flags.DO), Section.ADDITIONAL);
            }
            return m.toWire();
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Message parse(byte[] response) {
        try {
            return new Message(response);
        } catch (IOException e) {
            throw new AssertionError("dnsjava cannot parse the response: " + e, e);
        }
    }
}
