package io.switchboard.app;

import io.switchboard.config.Cidr;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.NameSyntax;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the top-level {@code cluster} section (this balancer's membership in a group of balancers,
 * the virtual addresses they hold between them, what they share) into a {@link ClusterConfig}, with
 * the same problems (file, line, key, what is allowed) as {@link PoolSection}. The key file is read
 * here, so that {@code check} reports a missing or short key as {@code run} would.
 *
 * <p>A reload cannot change the section: {@link #reloadChange} names the first key that differs, and
 * the running config is kept (the group, its transport and the addresses are set up at start).
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class ClusterSection {
    static final List<String> CLUSTER_KEYS = List.of("node", "group", "bind", "peers", "key-file", "maturity", "interface",
            "vips", "prefer", "heartbeat", "failure-timeout", "suspect-timeout", "replicate");
    static final Map<String, ClusterConfig.Shared> SHARED = ConfigLoader.ordered(
            "stick-tables", ClusterConfig.Shared.STICK_TABLES, "admin", ClusterConfig.Shared.ADMIN,
            "load", ClusterConfig.Shared.LOAD, "health", ClusterConfig.Shared.HEALTH);
    static final int MIN_KEY_BYTES = 32;
    /** Linux interface names: at most 15 bytes, no '/', ':' or white space. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");
    private static final String ENDPOINT_FORM = "host:port, e.g. 10.0.0.11:" + ClusterConfig.DEFAULT_PORT
            + "; the port defaults to " + ClusterConfig.DEFAULT_PORT;

    private ClusterSection() {}

    /** The {@code cluster} section; null when it is absent or wrong (the errors are recorded). */
    static ClusterConfig read(Section root, Path source, ConfigLoader.Purpose purpose) {
        if (!root.has("cluster")) return null;
        Section s = root.section("cluster", CLUSTER_KEYS);
        YamlNode.Entry at = root.entry("cluster");
        if (!(at.value() instanceof YamlNode.Mapping)) {
            if (at.value() instanceof YamlNode.Scalar sc && sc.isEmpty()) {
                s.problems().error(at.line(), at.column(), "cluster", "is empty; give at least bind, peers and key-file"
                        + " (or remove the section to run without a cluster)");
            }
            return null; // a list or a value: reported by section()
        }
        Problems problems = s.problems();
        int errorsBefore = problems.errorCount();

        String node = s.value("node", null, NameSyntax::parse);
        if (node == null && !s.has("node")) node = hostName();
        String group = s.value("group", ClusterConfig.DEFAULT_GROUP, NameSyntax::parse);
        ClusterConfig.Endpoint bind = s.value("bind", null, ClusterSection::bind);
        if (bind != null) checkLocal(s, bind, purpose);
        if (!s.has("bind")) {
            problems.error(at.line(), at.column(), "cluster.bind", "required key is missing (this node's group address: an IP"
                    + " address of this host and a port, e.g. 10.0.0.11:" + ClusterConfig.DEFAULT_PORT + ")");
        }
        List<ClusterConfig.Endpoint> peers = peers(s, at);
        Path keyFile = null;
        if (!s.has("key-file")) {
            problems.error(at.line(), at.column(), "cluster.key-file", "required key is missing (a file of at least "
                    + MIN_KEY_BYTES + " random bytes, the same on every member: head -c 32 /dev/urandom > cluster.key)");
        } else {
            keyFile = s.value("key-file", null, v -> keyFile(v, source));
        }
        Duration maturity = s.duration("maturity", ClusterConfig.DEFAULT_MATURITY, false);
        String vipInterface = s.value("interface", null, ClusterSection::interfaceName);
        Map<String, String> vips = vips(s); // address -> as written
        if (!vips.isEmpty() && !s.has("interface")) {
            YamlNode.Entry v = s.entry("vips");
            problems.error(v.line(), v.column(), "cluster.interface", "required when vips is given (the network interface"
                    + " the held virtual addresses are added to, e.g. eth0)");
        }
        List<String> prefer = prefer(s, vips);
        Duration heartbeat = s.duration("heartbeat", ClusterConfig.DEFAULT_HEARTBEAT, true);
        Duration failureTimeout = s.duration("failure-timeout", ClusterConfig.DEFAULT_FAILURE_TIMEOUT, true);
        Duration suspectTimeout = s.duration("suspect-timeout", ClusterConfig.DEFAULT_SUSPECT_TIMEOUT, true);
        if (failureTimeout.compareTo(heartbeat) <= 0) {
            YamlNode.Entry e = s.entry("failure-timeout") != null ? s.entry("failure-timeout") : s.entry("heartbeat");
            problems.error(e.line(), e.column(), "cluster.failure-timeout", "failure-timeout "
                    + DurationSyntax.format(failureTimeout) + " must be longer than heartbeat " + DurationSyntax.format(heartbeat)
                    + " (a member is suspected when no heartbeat came for that long; e.g. 5 heartbeats)");
        }
        Set<ClusterConfig.Shared> replicate = replicate(s);

        if (problems.errorCount() != errorsBefore || node == null || bind == null || keyFile == null) return null;
        return new ClusterConfig(node, group, bind.host(), bind.port(), peers, keyFile, maturity, vipInterface,
                List.copyOf(vips.values()), prefer, heartbeat, failureTimeout, suspectTimeout, replicate);
    }

    /**
     * Why a reload from {@code before} to {@code after} is refused, naming the first key that differs;
     * null when the section is the same (or absent from both). The group, its transport and the
     * virtual addresses are set up when Switchboard starts.
     */
    static String reloadChange(ClusterConfig before, ClusterConfig after) {
        if (Objects.equals(before, after)) return null;
        String what;
        if (before == null) {
            what = "the cluster section was added";
        } else if (after == null) {
            what = "the cluster section was removed";
        } else {
            String key = firstDifference(before, after);
            what = "cluster." + key + " changed";
        }
        return what + "; the cluster is joined when Switchboard starts, so restart it to change the cluster section"
                + " (the running config is kept)";
    }

    private static String firstDifference(ClusterConfig a, ClusterConfig b) {
        Map<String, Function<ClusterConfig, Object>> keys = new LinkedHashMap<>();
        keys.put("node", ClusterConfig::node);
        keys.put("group", ClusterConfig::group);
        keys.put("bind", c -> c.bindHost() + ":" + c.bindPort());
        keys.put("peers", ClusterConfig::peers);
        keys.put("key-file", ClusterConfig::keyFile);
        keys.put("maturity", ClusterConfig::maturity);
        keys.put("interface", ClusterConfig::vipInterface);
        keys.put("vips", ClusterConfig::vips);
        keys.put("prefer", ClusterConfig::prefer);
        keys.put("heartbeat", ClusterConfig::heartbeat);
        keys.put("failure-timeout", ClusterConfig::failureTimeout);
        keys.put("suspect-timeout", ClusterConfig::suspectTimeout);
        keys.put("replicate", ClusterConfig::replicate);
        for (Map.Entry<String, Function<ClusterConfig, Object>> k : keys.entrySet()) {
            if (!Objects.equals(k.getValue().apply(a), k.getValue().apply(b))) return k.getKey();
        }
        return "section";
    }

    /** The host name as the kernel has it (what {@code hostname} prints), cut to a valid member name. */
    static String hostName() {
        String name = null;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the JDK
        }
        if (name == null || name.isEmpty()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                name = "switchboard";
            }
        }
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "-");
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0))) cleaned = "n" + cleaned;
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }

    /** {@code host[:port]}; the host must be an IP address (the address the transport binds and the peers reach). */
    private static ClusterConfig.Endpoint bind(String v) {
        ClusterConfig.Endpoint e = endpoint(v);
        String host = e.host();
        if (!isIpLiteral(host)) {
            throw new IllegalArgumentException("'" + v + "': give an IP address of this host, not a host name (e.g. 10.0.0.11:"
                    + ClusterConfig.DEFAULT_PORT + ")");
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            throw new IllegalArgumentException("'" + v + "': a wildcard address cannot be a member's address; give the one"
                    + " the other members reach this node at (e.g. 10.0.0.11:" + ClusterConfig.DEFAULT_PORT + ")");
        }
        return e;
    }

    /** For {@code check} a warning: the file may be checked on another host than the member's. */
    private static void checkLocal(Section s, ClusterConfig.Endpoint bind, ConfigLoader.Purpose purpose) {
        try {
            InetAddress a = InetAddress.getByName(bind.host()); // a literal: no lookup
            if (a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) return;
        } catch (UnknownHostException | SocketException e) {
            // reported as not local below
        }
        YamlNode.Entry e = s.entry("bind");
        String message = bind.host() + " is not an address of this host";
        if (purpose == ConfigLoader.Purpose.CHECK) {
            s.problems().warn(e.value(), "cluster.bind", message + "; run refuses to start with it");
        } else {
            s.problems().error(e.value(), "cluster.bind", message + " (give one of this host's addresses: ip -br addr)");
        }
    }

    /** {@code host[:port]} with the group's default port. */
    private static ClusterConfig.Endpoint endpoint(String v) {
        String s = v.trim();
        boolean hasPort = s.startsWith("[") ? s.contains("]:") : s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':');
        if (hasPort) {
            var hp = HostPortSyntax.parse(s);
            return new ClusterConfig.Endpoint(hp.host(), hp.port());
        }
        String host = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (host.isEmpty()) throw new IllegalArgumentException("'" + v + "' has no host (" + ENDPOINT_FORM + ")");
        return new ClusterConfig.Endpoint(HostPortSyntax.host(host), ClusterConfig.DEFAULT_PORT);
    }

    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) return true; // HostPortSyntax accepted it as IPv6
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static List<ClusterConfig.Endpoint> peers(Section s, YamlNode.Entry at) {
        Problems problems = s.problems();
        List<ClusterConfig.Endpoint> out = new ArrayList<>();
        YamlNode.Sequence list = s.list("peers");
        if (list == null) {
            if (!s.has("peers")) {
                problems.error(at.line(), at.column(), "cluster.peers", "required key is missing (every member's group"
                        + " address, e.g. [10.0.0.11:7800, 10.0.0.12:7800, 10.0.0.13:7800])");
            }
            return out;
        }
        if (list.items().isEmpty()) {
            YamlNode.Entry e = s.entry("peers");
            problems.error(e.line(), e.column(), "cluster.peers", "at least one peer is required (every member's group address,"
                    + " this node's own may be listed)");
            return out;
        }
        Map<ClusterConfig.Endpoint, Integer> first = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = "cluster.peers[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue;
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected a member's group address (" + ENDPOINT_FORM + "); found " + item.kind());
                continue;
            }
            try {
                ClusterConfig.Endpoint e = endpoint(sc.text());
                Integer line = first.putIfAbsent(e, item.line());
                if (line != null) {
                    problems.error(item, path, e + " is listed twice (first at line " + line + ")");
                    continue;
                }
                out.add(e);
            } catch (IllegalArgumentException e) {
                problems.error(item, path, e.getMessage());
            }
        }
        return out;
    }

    /** Relative to the config file's directory, as the access log; must hold at least {@value #MIN_KEY_BYTES} bytes. */
    private static Path keyFile(String v, Path source) {
        Path p = Path.of(v.trim());
        if (!p.isAbsolute() && source != null) {
            Path dir = source.toAbsolutePath().getParent();
            if (dir != null) p = dir.resolve(p);
        }
        p = p.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) throw new IllegalArgumentException(p + " is a directory (give the key's file)");
        long size;
        try (var in = Files.newInputStream(p)) {
            size = in.readNBytes(MIN_KEY_BYTES).length;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + p + " (make one with: head -c 32 /dev/urandom > " + p
                    + ", and copy it to every member)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage());
        }
        if (size < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(p + " holds " + size + " bytes; the key must be at least " + MIN_KEY_BYTES
                    + " (head -c 32 /dev/urandom > " + p + ")");
        }
        return p;
    }

    private static String interfaceName(String v) {
        String s = v.trim();
        if (INTERFACE.matcher(s).matches()) return s;
        throw new IllegalArgumentException("'" + v + "' is not a network interface name (up to 15 letters, digits, '.', '_',"
                + " '-' or '@', e.g. eth0)");
    }

    /** Address (without prefix) to the address as written ({@code 10.0.0.100/24}), in file order. */
    private static Map<String, String> vips(Section s) {
        Problems problems = s.problems();
        Map<String, String> out = new LinkedHashMap<>();
        YamlNode.Sequence list = s.list("vips");
        if (list == null) return out;
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = "cluster.vips[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue;
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected a virtual address with its prefix length (e.g. 10.0.0.100/24); found "
                        + item.kind());
                continue;
            }
            try {
                String[] v = vip(sc.text());
                Integer line = first.putIfAbsent(v[0], item.line());
                if (line != null) {
                    problems.error(item, path, v[0] + " is listed twice (first at line " + line + "; each virtual address once)");
                    continue;
                }
                out.put(v[0], v[1]);
            } catch (IllegalArgumentException e) {
                problems.error(item, path, e.getMessage());
            }
        }
        return out;
    }

    /** {address, address/prefix} from {@code 10.0.0.100/24}: a single address with the prefix length of its network. */
    private static String[] vip(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length (write the address with its network's,"
                    + " e.g. 10.0.0.100/24)");
        }
        String address = address(s.substring(0, slash), text);
        int max = address.indexOf(':') >= 0 ? 128 : 32;
        int prefix;
        try {
            prefix = IntegerSyntax.parse(s.substring(slash + 1), 1, max);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': prefix length '" + s.substring(slash + 1)
                    + "' is not valid (allowed: 1-" + max + ")");
        }
        return new String[] {address, address + "/" + prefix};
    }

    /** One address in its canonical form ({@code 10.0.0.1}, {@code 2001:db8::1}); {@code text} is what the file says. */
    private static String address(String addr, String text) {
        String c;
        try {
            c = Cidr.parse(addr).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': '" + addr + "' is not an IP address (write e.g. 10.0.0.100/24"
                    + " or 2001:db8::100/64)");
        }
        return c.substring(0, c.lastIndexOf('/'));
    }

    /** Each one of vips, written with or without its prefix length; the result as vips writes it. */
    private static List<String> prefer(Section s, Map<String, String> vips) {
        Problems problems = s.problems();
        List<String> out = new ArrayList<>();
        YamlNode.Sequence list = s.list("prefer");
        if (list == null) return out;
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = "cluster.prefer[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue;
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected one of the vips; found " + item.kind());
                continue;
            }
            String text = sc.text().trim();
            String vip = preferred(text, vips);
            if (vip == null) {
                String known = vips.isEmpty() ? "vips lists none" : "vips: " + String.join(", ", vips.values());
                // a near miss in an address is another address: only the same address with another prefix is suggested
                String same = text.indexOf('/') < 0 ? null : preferred(text.substring(0, text.indexOf('/')), vips);
                problems.error(item, path, "'" + text + "' is not one of the vips"
                        + (same == null ? "" : ", did you mean '" + same + "'?") + " (" + known + ")");
                continue;
            }
            if (out.contains(vip)) {
                problems.error(item, path, vip + " is listed twice");
                continue;
            }
            out.add(vip);
        }
        return out;
    }

    /** The vip that {@code text} names (an address, or an address with the same prefix length); null if none. */
    private static String preferred(String text, Map<String, String> vips) {
        try {
            int slash = text.indexOf('/');
            String vip = vips.get(address(slash < 0 ? text : text.substring(0, slash), text));
            if (vip == null || slash < 0) return vip;
            return vip.substring(vip.indexOf('/')).equals(text.substring(slash)) ? vip : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Set<ClusterConfig.Shared> replicate(Section s) {
        YamlNode.Sequence list = s.list("replicate");
        if (list == null) return EnumSet.allOf(ClusterConfig.Shared.class);
        Set<ClusterConfig.Shared> out = EnumSet.noneOf(ClusterConfig.Shared.class);
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = "cluster.replicate[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue;
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                s.problems().error(item, path, "expected one of " + String.join(", ", SHARED.keySet()) + "; found " + item.kind());
                continue;
            }
            try {
                ClusterConfig.Shared what = Section.oneOf(sc.text().trim(), SHARED);
                if (!out.add(what)) s.problems().error(item, path, what.label() + " is listed twice");
            } catch (IllegalArgumentException e) {
                s.problems().error(item, path, e.getMessage());
            }
        }
        return out;
    }
}
