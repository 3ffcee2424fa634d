package io.switchboard.app;

import io.switchboard.balance.Maglev;
import io.switchboard.config.DsrConfig;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the top-level {@code dsr} section (direct server return: the kernel forwards packets to the
 * virtual address straight to a server, which answers the client itself) into a {@link DsrConfig},
 * with the same problems (file, line, key, what is allowed) as {@link PoolSection}. What DSR cannot
 * do is an error here, not a surprise later: a server on another port than the virtual address's
 * (the packet is not rewritten above layer 2), a server named by host name (the kernel needs its MAC
 * on this segment), IPv6.
 *
 * <p>An interface that does not exist on this host is an error for {@code run} and a warning for
 * {@code check} (the file may be checked elsewhere).
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class DsrSection {
    static final List<String> DSR_KEYS = List.of("vip", "port", "protocol", "interface", "pool", "table-size");
    static final Map<String, DsrConfig.Protocol> PROTOCOLS = ConfigLoader.ordered("tcp", DsrConfig.Protocol.TCP,
            "udp", DsrConfig.Protocol.UDP);
    /** Linux interface names: at most 15 bytes, no '/', ':' or white space. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Below this many slots per server the split gets uneven (the Maglev paper: 100). */
    static final int SLOTS_PER_SERVER = 20;

    private DsrSection() {}

    /** The {@code dsr} section; null when it is absent or wrong (the errors are recorded). */
    static DsrConfig read(Section root, Map<String, PoolConfig> pools, ConfigLoader.Purpose purpose) {
        if (!root.has("dsr")) return null;
        Section s = root.section("dsr", DSR_KEYS);
        YamlNode.Entry at = root.entry("dsr");
        Problems problems = s.problems();
        if (!(at.value() instanceof YamlNode.Mapping)) {
            if (at.value() instanceof YamlNode.Scalar sc && sc.isEmpty()) {
                problems.error(at.line(), at.column(), "dsr", "is empty; give vip, port, interface and pool"
                        + " (or remove the section)");
            }
            return null;
        }
        int errorsBefore = problems.errorCount();
        String vip = s.required("vip", "the virtual IPv4 address, e.g. 10.0.0.100", DsrSection::ipv4);
        Integer port = s.required("port", "1-65535, the port of the service (the servers listen on the same)",
                v -> IntegerSyntax.parse(v, 1, 65535));
        DsrConfig.Protocol protocol = s.choice("protocol", DsrConfig.Protocol.TCP, PROTOCOLS);
        String iface = s.required("interface", "the interface the virtual address's packets arrive on and leave by,"
                + " e.g. eth0", DsrSection::interfaceName);
        if (iface != null) checkInterface(s, iface, purpose);
        String pool = s.required("pool", "the name of the pool whose servers answer", String::trim);
        int tableSize = s.value("table-size", Maglev.DEFAULT_SIZE, DsrSection::tableSize);
        if (pool != null) {
            PoolConfig pc = pools.get(pool);
            YamlNode.Entry pe = s.entry("pool");
            if (pc == null) {
                String known = pools.isEmpty() ? "none defined" : "pools: " + String.join(", ", pools.keySet());
                problems.error(pe.value(), "dsr.pool", "no pool named '" + pool + "'" + Spelling.suggestion(pool, pools.keySet())
                        + " (" + known + ")");
            } else {
                checkServers(s, pc, port, tableSize);
            }
        }
        if (problems.errorCount() != errorsBefore || vip == null || port == null || iface == null || pool == null) return null;
        return new DsrConfig(vip, port, protocol, iface, pool, tableSize);
    }

    /**
     * Every server an IPv4 literal on the service's port; enough slots for an even split. The kernel
     * rewrites only the destination MAC: no address or port translation.
     */
    private static void checkServers(Section s, PoolConfig pc, Integer port, int tableSize) {
        YamlNode.Entry pe = s.entry("pool");
        for (ServerConfig sc : pc.servers()) {
            if (!IPV4.matcher(sc.host()).matches()) {
                s.problems().error(pe.value(), "dsr.pool", "server '" + sc.name() + "' of pool '" + pc.name() + "' is " + sc.host()
                        + "; direct server return needs each server's IPv4 address (its MAC is looked up on the interface)");
            } else if (port != null && sc.port() != port) {
                s.problems().error(pe.value(), "dsr.pool", "server '" + sc.name() + "' of pool '" + pc.name() + "' listens on port "
                        + sc.port() + ", but dsr.port is " + port + "; direct server return cannot change the port (give the"
                        + " server " + sc.host() + ":" + port + ")");
            }
        }
        int servers = pc.servers().size();
        if (servers > tableSize) {
            YamlNode.Entry e = s.entry("table-size") != null ? s.entry("table-size") : pe;
            s.problems().error(e.value(), "dsr.table-size", servers + " servers do not fit " + tableSize + " slots; give a"
                    + " larger prime (e.g. " + Maglev.DEFAULT_SIZE + ")");
        } else if (servers > 0 && tableSize < SLOTS_PER_SERVER * servers) {
            YamlNode.Entry e = s.entry("table-size") != null ? s.entry("table-size") : pe;
            s.problems().warn(e.value(), "dsr.table-size", tableSize + " slots for " + servers + " servers split the flows"
                    + " unevenly; give a prime of at least " + SLOTS_PER_SERVER * servers + " (e.g. " + Maglev.DEFAULT_SIZE + ")");
        }
    }

    /** On {@code run} the interface must exist now; {@code check} may run on another host. */
    private static void checkInterface(Section s, String iface, ConfigLoader.Purpose purpose) {
        Path sys = Path.of("/sys/class/net");
        if (!Files.isDirectory(sys) || Files.exists(sys.resolve(iface))) return;
        YamlNode.Entry e = s.entry("interface");
        String message = "no interface named '" + iface + "' on this host (" + interfaces(sys) + ")";
        if (purpose == ConfigLoader.Purpose.CHECK) s.problems().warn(e.value(), "dsr.interface", message + "; run refuses it");
        else s.problems().error(e.value(), "dsr.interface", message);
    }

    static String interfaces(Path sys) {
        try (var list = Files.list(sys)) {
            List<String> names = list.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "it has none" : "interfaces: " + String.join(", ", names);
        } catch (IOException e) {
            return "cannot list " + sys + ": " + e.getMessage();
        }
    }

    private static String ipv4(String v) {
        String t = v.trim();
        var m = IPV4.matcher(t);
        if (m.matches()) {
            boolean ok = true;
            for (int i = 1; i <= 4; i++) ok &= Integer.parseInt(m.group(i)) <= 255;
            if (ok) return t;
        }
        if (t.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + v + "': IPv6 is not supported by direct server return yet (give an IPv4"
                    + " address, e.g. 10.0.0.100)");
        }
        throw new IllegalArgumentException("'" + v + "' is not an IPv4 address (e.g. 10.0.0.100, without a prefix length)");
    }

    private static String interfaceName(String v) {
        String t = v.trim();
        if (INTERFACE.matcher(t).matches()) return t;
        throw new IllegalArgumentException("'" + v + "' is not a network interface name (up to 15 letters, digits, '.', '_',"
                + " '-' or '@', e.g. eth0)");
    }

    private static int tableSize(String v) {
        int n;
        try {
            n = IntegerSyntax.parse(v, 2, Maglev.MAX_SIZE);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + v + "' is not a table size (a prime from 2 to " + Maglev.MAX_SIZE + ", e.g. 251, "
                    + Maglev.DEFAULT_SIZE + " or 65537)");
        }
        if (!Maglev.isPrime(n)) {
            int up = n;
            while (!Maglev.isPrime(up)) up++;
            throw new IllegalArgumentException(n + " is not a prime (the Maglev table needs one; the next is " + up + ")");
        }
        return n;
    }
}
