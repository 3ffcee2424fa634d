package io.switchboard.app;

import io.switchboard.config.DnsConfig;
import io.switchboard.config.HostPort;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.dns.Authority;
import io.switchboard.dns.SoaSpec;
import io.switchboard.proxy.dns.DnsZones;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the top-level {@code dns} section: the listener ({@code listen}, {@code max-udp-payload},
 * {@code rate-limit}) and the zones with their pool names, SRV names and static records, with the
 * same problems (file, line, key, what is allowed) as {@link PoolSection}. Each zone is compiled by
 * the DNS engine here, so what the engine refuses (a name outside the zone, a bad label) is reported
 * at the zone's line by {@code check} as well as by {@code run}.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class DnsSection {
    static final List<String> DNS_KEYS = List.of("listen", "max-udp-payload", "rate-limit", "zones");
    static final List<String> RATE_LIMIT_KEYS = List.of("responses-per-second", "slip");
    static final List<String> ZONE_KEYS = List.of("origin", "soa", "ns", "pools", "srv", "records");
    static final List<String> SOA_KEYS = List.of("mname", "rname", "ttl", "refresh", "retry", "expire", "minimum");
    static final List<String> POOL_NAME_KEYS = List.of("name", "pool", "ttl", "max-records");
    static final List<String> SRV_KEYS = List.of("name", "pool", "port", "priority", "ttl");
    static final List<String> RECORD_KEYS = List.of("name", "type", "value", "ttl");
    static final Map<String, String> RECORD_TYPES = new TreeMap<>(Map.of("a", "A", "aaaa", "AAAA", "txt", "TXT"));
    static final String DEFAULT_LISTEN = DnsConfig.DEFAULT_HOST + ":" + DnsConfig.DEFAULT_PORT;
    static final int DEFAULT_SLIP = 2;

    private DnsSection() {}

    /** The {@code dns} section; null when it is absent or wrong (the errors are recorded). */
    static DnsConfig read(Section root, Set<String> poolNames) {
        if (!root.has("dns")) return null;
        Section s = root.section("dns", DNS_KEYS);
        Problems problems = s.problems();
        int errorsBefore = problems.errorCount();
        HostPort listen = s.value("listen", HostPortSyntax.parse(DEFAULT_LISTEN), DnsSection::listen);
        int payload = s.integer("max-udp-payload", DnsConfig.DEFAULT_MAX_UDP_PAYLOAD, 512, 65535);
        DnsConfig.RateLimit rateLimit = null;
        if (s.has("rate-limit")) {
            Section r = s.section("rate-limit", RATE_LIMIT_KEYS);
            Integer rps = r.required("responses-per-second", "responses per second per client network and answer, 1 or more",
                    v -> IntegerSyntax.parse(v, 1, 1_000_000));
            int slip = r.integer("slip", DEFAULT_SLIP, 0, 100);
            if (rps != null) rateLimit = new DnsConfig.RateLimit(rps, slip);
        }
        List<DnsConfig.Zone> zones = new ArrayList<>();
        YamlNode.Sequence list = s.list("zones");
        YamlNode.Entry dnsEntry = root.entry("dns");
        if (list == null && !s.has("zones")) {
            problems.error(dnsEntry.line(), dnsEntry.column(), "dns.zones", "required key is missing (a list with at least one zone)");
        } else if (list != null && list.items().isEmpty()) {
            problems.error(s.entry("zones").line(), s.entry("zones").column(), "dns.zones", "at least one zone is required");
        }
        Map<String, Integer> origins = new HashMap<>();
        if (list != null) {
            for (int i = 0; i < list.items().size(); i++) {
                YamlNode item = list.items().get(i);
                String path = "dns.zones[" + i + "]";
                if (!(item instanceof YamlNode.Mapping)) {
                    problems.error(item, path, "expected a zone (origin: ..., ns: [...], pools: [...]); found " + item.kind());
                    continue;
                }
                DnsConfig.Zone z = zone(Section.open(item, path, item.line(), item.column(), problems, ZONE_KEYS), poolNames);
                if (z == null) continue;
                String key = z.origin().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
                Integer first = origins.putIfAbsent(key, item.line());
                if (first != null) {
                    problems.error(item, path + ".origin", "zone " + z.origin() + " is already defined at line " + first);
                    continue;
                }
                try {
                    new Authority(List.of(DnsZones.spec(z)));
                    zones.add(z);
                } catch (IllegalArgumentException e) {
                    problems.error(item, path, e.getMessage());
                }
            }
        }
        if (problems.errorCount() != errorsBefore || listen == null) return null;
        return new DnsConfig(listen.host(), listen.port(), payload, rateLimit, zones);
    }

    private static DnsConfig.Zone zone(Section z, Set<String> poolNames) {
        Problems problems = z.problems();
        int errorsBefore = problems.errorCount();
        String origin = z.required("origin", "the zone's name, e.g. example.com", v -> v.trim());
        List<String> ns = new ArrayList<>();
        YamlNode.Sequence nsList = z.list("ns");
        if (nsList == null && !z.has("ns")) {
            problems.error(z.line(), z.column(), z.keyPath("ns"), "required key is missing (the zone's name servers, e.g. [ns1.example.com.])");
        } else if (nsList != null) {
            for (YamlNode n : nsList.items()) {
                if (n instanceof YamlNode.Scalar sc && !sc.isEmpty()) ns.add(sc.text().trim());
                else problems.error(n, z.keyPath("ns"), "expected a name server's name; found " + n.kind());
            }
            if (nsList.items().isEmpty()) problems.error(nsList, z.keyPath("ns"), "at least one name server is required");
        }
        DnsConfig.Soa soa = null;
        if (z.has("soa")) {
            Section s = z.section("soa", SOA_KEYS);
            SoaSpec d = SoaSpec.defaults("", "");
            soa = new DnsConfig.Soa(s.value("mname", ns.isEmpty() ? "" : ns.get(0), String::trim),
                    s.value("rname", "hostmaster", String::trim),
                    s.duration("ttl", Duration.ofSeconds(d.ttl()), false), s.duration("refresh", Duration.ofSeconds(d.refresh()), true),
                    s.duration("retry", Duration.ofSeconds(d.retry()), true), s.duration("expire", Duration.ofSeconds(d.expire()), true),
                    s.duration("minimum", Duration.ofSeconds(d.minimum()), false));
        }
        List<DnsConfig.PoolName> pools = new ArrayList<>();
        for (Section p : items(z, "pools", POOL_NAME_KEYS, "{name: www, pool: app}")) {
            String name = p.required("name", "relative to the zone, @ for the apex", String::trim);
            String pool = pool(p, poolNames);
            Duration ttl = p.duration("ttl", DnsConfig.DEFAULT_NAME_TTL, false);
            int max = p.integer("max-records", DnsConfig.DEFAULT_MAX_RECORDS, 1, 1000);
            if (name != null && pool != null) pools.add(new DnsConfig.PoolName(name, pool, ttl, max));
        }
        List<DnsConfig.Srv> srv = new ArrayList<>();
        for (Section p : items(z, "srv", SRV_KEYS, "{name: _http._tcp.www, pool: app}")) {
            String name = p.required("name", "_service._proto.name, relative to the zone", String::trim);
            String pool = pool(p, poolNames);
            int port = p.integer("port", 0, 0, 65535);
            int priority = p.integer("priority", DnsConfig.DEFAULT_SRV_PRIORITY, 0, 65535);
            Duration ttl = p.duration("ttl", DnsConfig.DEFAULT_NAME_TTL, false);
            if (name != null && pool != null) srv.add(new DnsConfig.Srv(name, pool, port, priority, ttl));
        }
        List<DnsConfig.Record> records = new ArrayList<>();
        for (Section p : items(z, "records", RECORD_KEYS, "{name: ns1, type: A, value: 192.0.2.1}")) {
            String name = p.required("name", "relative to the zone, @ for the apex", String::trim);
            String type = p.required("type", "A, AAAA or TXT", v -> Section.oneOf(v.trim(), RECORD_TYPES));
            String value = p.required("value", "an address for A/AAAA, text for TXT", v -> v);
            Duration ttl = p.duration("ttl", DnsConfig.DEFAULT_RECORD_TTL, false);
            if (name == null || type == null || value == null) continue;
            DnsConfig.Record r = new DnsConfig.Record(name, type, value, ttl);
            try {
                DnsZones.record(r);
                records.add(r);
            } catch (IllegalArgumentException e) {
                YamlNode.Entry v = p.entry("value");
                problems.error(v.value(), p.keyPath("value"), e.getMessage());
            }
        }
        if (origin == null || problems.errorCount() != errorsBefore) return null;
        return new DnsConfig.Zone(origin, soa, ns, pools, srv, records);
    }

    /** The mappings of a list key ({@code pools}, {@code srv}, {@code records}); an item that is not a mapping is reported. */
    private static List<Section> items(Section z, String key, List<String> allowed, String example) {
        List<Section> out = new ArrayList<>();
        YamlNode.Sequence list = z.list(key);
        if (list == null) return out;
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = z.keyPath(key) + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                z.problems().error(item, path, "expected a mapping such as " + example + "; found " + item.kind());
                continue;
            }
            out.add(Section.open(item, path, item.line(), item.column(), z.problems(), allowed));
        }
        return out;
    }

    private static String pool(Section p, Set<String> poolNames) {
        String pool = p.required("pool", "the name of a pool", String::trim);
        if (pool != null && !poolNames.contains(pool)) {
            YamlNode.Entry pe = p.entry("pool");
            String known = poolNames.isEmpty() ? "none defined" : "pools: " + String.join(", ", poolNames);
            p.problems().error(pe.value(), p.keyPath("pool"),
                    "no pool named '" + pool + "'" + Spelling.suggestion(pool, poolNames) + " (" + known + ")");
            return null;
        }
        return pool;
    }

    /** {@code host:port}; port 0 (any free port) is allowed for tests. */
    private static HostPort listen(String v) {
        String s = v.trim();
        if (s.endsWith(":0") && s.indexOf(':') == s.length() - 2) {
            return new HostPort(HostPortSyntax.host(s.substring(0, s.length() - 2)), 0);
        }
        if (s.endsWith("]:0")) return new HostPort(HostPortSyntax.host(s.substring(1, s.length() - 3)), 0);
        return HostPortSyntax.parse(s);
    }
}
