package io.switchboard.dns;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every zone compiled into answers: an open-addressing table from lower-cased wire names to
 * {@link Node}s whose RRsets are ready-made answer-section bytes. Built whole on every change (a
 * handful of names; rebuilding is simpler and faster to read than patching) and published by one
 * volatile write in {@link Authority}. Lookups compare the query's bytes in place, case-insensitively,
 * and allocate nothing. Immutable once built; thread-safe for readers.
 */
public final class ZoneSnapshot {
    /** Weight sums above this are scaled down before building the rotation schedule. */
    static final int MAX_SCHEDULE = 4096;

    private final byte[][] keys;
    private final Node[] nodes;
    private final int mask;
    private final List<Zone> zones;

    private ZoneSnapshot(Map<String, Node> byName, List<Zone> zones) {
        int cap = 16;
        while (cap < byName.size() * 2) {
            cap <<= 1;
        }
        keys = new byte[cap][];
        nodes = new Node[cap];
        mask = cap - 1;
        for (Node n : byName.values()) {
            int i = WireName.hash(n.name, 0, n.name.length) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = n.name;
            nodes[i] = n;
        }
        this.zones = List.copyOf(zones);
    }

    /** The node whose name is {@code buf[from, to)} (wire form, any case), or null. */
    Node find(byte[] buf, int from, int to) {
        int i = WireName.hash(buf, from, to) & mask;
        while (true) {
            byte[] k = keys[i];
            if (k == null) {
                return null;
            }
            if (WireName.equalsIgnoreCase(k, buf, from, to)) {
                return nodes[i];
            }
            i = (i + 1) & mask;
        }
    }

    /** The zone of the closest existing ancestor of the query name, or null when it is in none of ours. */
    Zone enclosing(byte[] buf, Query q) {
        for (int l = 1; l < q.labels; l++) {
            Node n = find(buf, q.labelStart[l], q.nameEnd);
            if (n != null) {
                return n.zone;
            }
        }
        return null;
    }

    /** The serial of the zone with this origin (no trailing dot), or -1. */
    public long serial(String origin) {
        byte[] apex = WireName.encode(origin);
        for (Zone z : zones) {
            if (Arrays.equals(z.apex, apex)) {
                return z.serial;
            }
        }
        return -1;
    }

    /**
     * @param counters rotation counters by name and type, kept by the caller across compiles and
     *     only touched here (callers serialize compiles)
     */
    static ZoneSnapshot compile(List<ZoneSpec> specs, Map<String, List<DnsServer>> pools, long[] serials,
                                Map<String, AtomicInteger> counters) {
        Map<String, Node> byName = new LinkedHashMap<>();
        List<Zone> zones = new ArrayList<>();
        int[] ids = {0};
        for (int zi = 0; zi < specs.size(); zi++) {
            ZoneSpec spec = specs.get(zi);
            String origin = WireName.absolute("@", spec.origin());
            Zone zone = compileZone(zi, origin, spec.soa(), serials[zi]);
            zones.add(zone);
            Node apex = node(byName, origin, zone, ids);
            apex.soa = RrSet.single(Wire.TYPE_SOA, concat(pointerToQuestion(), zone.soaBody), 1);
            ByteArrayOutputStream ns = new ByteArrayOutputStream();
            for (String n : spec.nameServers()) {
                record(ns, Wire.TYPE_NS, spec.soa().ttl(), WireName.encode(WireName.absolute(n, origin)));
            }
            apex.ns = RrSet.single(Wire.TYPE_NS, ns.toByteArray(), spec.nameServers().size());

            Map<Node, Map<Integer, List<byte[]>>> statics = new LinkedHashMap<>();
            Map<Node, Integer> staticTtl = new LinkedHashMap<>();
            for (StaticRecord r : spec.statics()) {
                Node n = node(byName, WireName.owner(r.name(), origin), zone, ids);
                statics.computeIfAbsent(n, k -> new LinkedHashMap<>())
                        .computeIfAbsent(r.type(), k -> new ArrayList<>()).add(r.rdata());
                staticTtl.putIfAbsent(n, r.ttl());
            }
            statics.forEach((n, byType) -> byType.forEach((type, rdatas) -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                for (byte[] rd : rdatas) {
                    record(b, type, staticTtl.get(n), rd);
                }
                n.set(type, RrSet.single(type, b.toByteArray(), rdatas.size()));
            }));

            for (PoolName p : spec.poolNames()) {
                Node n = node(byName, WireName.owner(p.name(), origin), zone, ids);
                List<DnsServer> servers = pools.getOrDefault(p.pool(), List.of());
                String key = WireName.owner(p.name(), origin).toLowerCase(Locale.ROOT);
                n.a = rotated(Wire.TYPE_A, servers.stream().filter(s -> s.answers() && s.address() instanceof Inet4Address).toList(),
                        p.ttl(), p.maxRecords(), counters.computeIfAbsent(key + "/A", k -> new AtomicInteger()));
                n.aaaa = rotated(Wire.TYPE_AAAA, servers.stream().filter(s -> s.answers() && s.address() instanceof Inet6Address).toList(),
                        p.ttl(), p.maxRecords(), counters.computeIfAbsent(key + "/AAAA", k -> new AtomicInteger()));
            }

            for (SrvName s : spec.srvNames()) {
                String owner = WireName.owner(s.name(), origin);
                String[] parts = owner.split("\\.", 3);
                if (parts.length < 3 || !parts[0].startsWith("_") || !parts[1].startsWith("_")) {
                    throw new IllegalArgumentException("SRV name " + s.name() + " must look like _service._proto.name");
                }
                Node n = node(byName, owner, zone, ids);
                List<DnsServer> servers = pools.getOrDefault(s.pool(), List.of());
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int count = 0;
                for (DnsServer server : servers) {
                    String target = WireName.label(server.name()) + "." + parts[2];
                    Node t = node(byName, target, zone, ids);
                    byte[] addr = server.address().getAddress();
                    if (server.address() instanceof Inet4Address && t.a == null) {
                        t.a = RrSet.single(Wire.TYPE_A, recordBytes(Wire.TYPE_A, s.ttl(), addr), 1);
                    } else if (server.address() instanceof Inet6Address && t.aaaa == null) {
                        t.aaaa = RrSet.single(Wire.TYPE_AAAA, recordBytes(Wire.TYPE_AAAA, s.ttl(), addr), 1);
                    }
                    if (!server.answers()) {
                        continue;
                    }
                    byte[] name = WireName.encode(target);
                    byte[] rd = new byte[6 + name.length];
                    Wire.put16(rd, 0, s.priority());
                    Wire.put16(rd, 2, server.weight());
                    Wire.put16(rd, 4, s.port() != 0 ? s.port() : server.port());
                    System.arraycopy(name, 0, rd, 6, name.length);
                    record(b, Wire.TYPE_SRV, s.ttl(), rd);
                    count++;
                }
                n.srv = count == 0 ? null : RrSet.single(Wire.TYPE_SRV, b.toByteArray(), count);
            }
        }
        return new ZoneSnapshot(byName, zones);
    }

    private static Zone compileZone(int id, String origin, SoaSpec soa, long serial) {
        byte[] m = WireName.encode(WireName.absolute(soa.mname(), origin));
        byte[] r = WireName.encode(WireName.absolute(soa.rname(), origin));
        byte[] rd = new byte[m.length + r.length + 20];
        System.arraycopy(m, 0, rd, 0, m.length);
        System.arraycopy(r, 0, rd, m.length, r.length);
        int p = m.length + r.length;
        Wire.put32(rd, p, serial);
        Wire.put32(rd, p + 4, soa.refresh());
        Wire.put32(rd, p + 8, soa.retry());
        Wire.put32(rd, p + 12, soa.expire());
        Wire.put32(rd, p + 16, soa.minimum());
        byte[] body = body(Wire.TYPE_SOA, soa.ttl(), rd);
        byte[] negative = body(Wire.TYPE_SOA, Math.min(soa.ttl(), soa.minimum()), rd);
        return new Zone(id, origin, WireName.encode(origin), serial, body, negative);
    }

    /** The node for a name, created with its empty ancestors up to the apex (empty non-terminals). */
    private static Node node(Map<String, Node> byName, String absolute, Zone zone, int[] ids) {
        String key = absolute.toLowerCase(Locale.ROOT);
        Node n = byName.get(key);
        if (n == null) {
            n = new Node(ids[0]++, WireName.encode(key), zone);
            byName.put(key, n);
            if (!key.equals(zone.origin.toLowerCase(Locale.ROOT))) {
                int dot = key.indexOf('.');
                if (dot > 0) {
                    node(byName, key.substring(dot + 1), zone, ids);
                }
            }
        }
        return n;
    }

    private static RrSet rotated(int type, List<DnsServer> servers, int ttl, int max, AtomicInteger counter) {
        int n = servers.size();
        if (n == 0) {
            return null;
        }
        int perAnswer = Math.min(n, Math.max(1, max));
        byte[][] variants = new byte[n][];
        int[] counts = new int[n];
        for (int first = 0; first < n; first++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int k = 0; k < perAnswer; k++) {
                record(b, type, ttl, servers.get((first + k) % n).address().getAddress());
            }
            variants[first] = b.toByteArray();
            counts[first] = perAnswer;
        }
        return new RrSet(type, variants, counts, schedule(servers), counter);
    }

    /**
     * Smooth weighted round robin (as in nginx): each step adds every weight to its server's
     * credit, picks the largest credit and takes the total from it. Over one period of
     * sum(weights) steps each server leads exactly weight times, spread out, not in runs.
     */
    static int[] schedule(List<DnsServer> servers) {
        int n = servers.size();
        long total = 0;
        for (DnsServer s : servers) {
            total += s.weight();
        }
        int[] w = new int[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = total > MAX_SCHEDULE ? (int) Math.max(1, servers.get(i).weight() * MAX_SCHEDULE / total) : servers.get(i).weight();
            sum += w[i];
        }
        int[] schedule = new int[sum];
        long[] credit = new long[n];
        for (int step = 0; step < sum; step++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                credit[i] += w[i];
                if (credit[i] > credit[best]) {
                    best = i;
                }
            }
            credit[best] -= sum;
            schedule[step] = best;
        }
        return schedule;
    }

    private static byte[] pointerToQuestion() {
        return new byte[] {(byte) 0xC0, (byte) Wire.HEADER};
    }

    private static byte[] body(int type, int ttl, byte[] rdata) {
        byte[] b = new byte[10 + rdata.length];
        Wire.put16(b, 0, type);
        Wire.put16(b, 2, Wire.CLASS_IN);
        Wire.put32(b, 4, ttl);
        Wire.put16(b, 8, rdata.length);
        System.arraycopy(rdata, 0, b, 10, rdata.length);
        return b;
    }

    private static byte[] recordBytes(int type, int ttl, byte[] rdata) {
        return concat(pointerToQuestion(), body(type, ttl, rdata));
    }

    /** A record owned by the question name (pointer to offset 12). */
    private static void record(ByteArrayOutputStream out, int type, int ttl, byte[] rdata) {
        out.writeBytes(recordBytes(type, ttl, rdata));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
