package io.switchboard.proxy.dns;

import io.switchboard.config.DnsConfig;
import io.switchboard.dns.PoolName;
import io.switchboard.dns.SoaSpec;
import io.switchboard.dns.SrvName;
import io.switchboard.dns.StaticRecord;
import io.switchboard.dns.ZoneSpec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns the {@code dns:} zones of the config into the engine's {@link ZoneSpec}s. The config loader
 * uses it zone by zone to report the engine's objections at the zone's line; the listener uses it
 * for the whole list.
 *
 * <p>Threading: stateless.
 */
public final class DnsZones {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private DnsZones() {}

    public static List<ZoneSpec> specs(DnsConfig config) {
        List<ZoneSpec> out = new ArrayList<>();
        for (DnsConfig.Zone z : config.zones()) out.add(spec(z));
        return out;
    }

    /** @throws IllegalArgumentException with a message for people when the zone cannot be served */
    public static ZoneSpec spec(DnsConfig.Zone z) {
        if (z.nameServers().isEmpty()) {
            throw new IllegalArgumentException("zone " + z.origin() + ": at least one name server is required (ns: [ns1." + z.origin() + ".])");
        }
        SoaSpec soa = z.soa() == null
                ? SoaSpec.defaults(z.nameServers().get(0), "hostmaster")
                : new SoaSpec(z.soa().mname(), z.soa().rname(), seconds(z.soa().ttl()), seconds(z.soa().refresh()),
                        seconds(z.soa().retry()), seconds(z.soa().expire()), seconds(z.soa().minimum()));
        List<PoolName> names = new ArrayList<>();
        for (DnsConfig.PoolName p : z.pools()) names.add(new PoolName(p.name(), p.pool(), seconds(p.ttl()), p.maxRecords()));
        List<SrvName> srv = new ArrayList<>();
        for (DnsConfig.Srv s : z.srv()) srv.add(new SrvName(s.name(), s.pool(), s.port(), s.priority(), seconds(s.ttl())));
        List<StaticRecord> statics = new ArrayList<>();
        for (DnsConfig.Record r : z.records()) statics.add(record(r));
        return new ZoneSpec(z.origin(), soa, z.nameServers(), names, srv, statics);
    }

    /** @throws IllegalArgumentException when the type is not A, AAAA or TXT or the value does not fit it */
    public static StaticRecord record(DnsConfig.Record r) {
        int ttl = seconds(r.ttl());
        return switch (r.type().toUpperCase(Locale.ROOT)) {
            case "A" -> StaticRecord.address(r.name(), ttl, address(r, false));
            case "AAAA" -> StaticRecord.address(r.name(), ttl, address(r, true));
            case "TXT" -> StaticRecord.txt(r.name(), ttl, r.value());
            default -> throw new IllegalArgumentException("record " + r.name() + ": unknown type '" + r.type()
                    + "' (allowed: A, AAAA, TXT)");
        };
    }

    private static InetAddress address(DnsConfig.Record r, boolean v6) {
        String v = r.value().trim();
        boolean literal = v6 ? v.contains(":") : IPV4.matcher(v).matches();
        InetAddress a = null;
        if (literal) {
            try {
                a = InetAddress.getByName(v); // a literal: no lookup
            } catch (UnknownHostException e) {
                a = null;
            }
        }
        if (a == null || (v6 ? !(a instanceof Inet6Address) : !(a instanceof Inet4Address))) {
            throw new IllegalArgumentException("record " + r.name() + ": '" + v + "' is not an " + (v6 ? "IPv6" : "IPv4")
                    + " address (type " + (v6 ? "AAAA" : "A") + " takes an address literal such as "
                    + (v6 ? "2001:db8::1" : "192.0.2.1") + ")");
        }
        return a;
    }

    static int seconds(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toSeconds());
    }
}
