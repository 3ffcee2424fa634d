package io.switchboard.app.cluster;

import io.switchboard.proxy.DebianPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A small network of Linux network namespaces for the cluster tests, built and removed by the test
 * itself: a namespace holding only a bridge ({@code br0}), and one namespace per host ("n1", "c",
 * ...), each joined to the bridge by a veth pair whose host end is called {@code eth0} inside the
 * host's namespace, all in 10.77.0.0/24. Nothing is added to the namespace the test runs in: the
 * bridge and the veths' other ends live in the bridge's namespace.
 *
 * <p>Namespace names are {@code sbt<pid>-<host>} (pid of the test JVM), so parallel or crashed runs
 * never collide; {@link #create()} removes the namespaces of earlier runs whose JVM is gone.
 * {@link #close()} stops every process started through the lab (SIGKILL by PID) and deletes every
 * namespace it made; a shutdown hook does the same if the JVM exits without it.
 *
 * <p>Threading: for the test's thread only.
 */
final class NetnsLab implements AutoCloseable {
    static final String PREFIX = "sbt";
    private static final Pattern OURS = Pattern.compile("^" + PREFIX + "(\\d+)-\\S+");

    private final String id = PREFIX + ProcessHandle.current().pid();
    private final String bridgeNs = id + "-br";
    private final Map<String, String> hosts = new LinkedHashMap<>();
    private final List<NsProcess> processes = new ArrayList<>();
    private final Path dir;
    private final Thread hook = new Thread(this::removeQuietly, "netns-lab-cleanup");

    private NetnsLab(Path dir) {
        this.dir = dir;
    }

    /**
     * Skips the calling test (with a message on standard error saying why and what it needs) unless this
     * JVM runs as root on a kernel and {@code ip} that allow network namespaces; then makes the bridge.
     */
    static NetnsLab create() throws IOException, InterruptedException {
        requireNamespaces();
        removeStale();
        NetnsLab lab = new NetnsLab(Files.createTempDirectory("netns-lab"));
        Runtime.getRuntime().addShutdownHook(lab.hook);
        lab.ip("netns", "add", lab.bridgeNs);
        lab.ip("-n", lab.bridgeNs, "link", "set", "lo", "up");
        lab.ip("-n", lab.bridgeNs, "link", "add", "br0", "type", "bridge");
        lab.ip("-n", lab.bridgeNs, "link", "set", "br0", "up");
        return lab;
    }

    private static void requireNamespaces() throws IOException, InterruptedException {
        String why = null;
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).map(l -> l.split("\\s+")[1]).findFirst().orElse("?");
        if (!uid.equals("0")) {
            why = "they need root (network namespaces, veths, addresses, nftables); this JVM runs as uid " + uid;
        } else {
            String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
            DebianPeer.Result r;
            try {
                r = DebianPeer.run(List.of("ip", "netns", "add", probe), 20);
            } catch (IOException e) {
                r = new DebianPeer.Result(-1, e.getMessage());
            }
            if (r.exit() != 0) {
                why = "`ip netns add` does not work here (" + r.output().strip() + ")";
            } else {
                DebianPeer.run(List.of("ip", "netns", "del", probe), 20);
            }
        }
        if (why != null) {
            String message = "CLUSTER NETWORK-NAMESPACE TESTS SKIPPED: " + why
                    + ". Run them as root on Linux with iproute2: ./switchboard test -P cluster -pl switchboard-app -am";
            System.err.println("\n" + "*".repeat(100) + "\n" + message + "\n" + "*".repeat(100) + "\n");
            Assumptions.abort(message);
        }
    }

    /** Deletes the namespaces of earlier runs whose test JVM no longer exists. */
    private static void removeStale() throws IOException, InterruptedException {
        for (String line : DebianPeer.run(List.of("ip", "netns", "list"), 20).output().split("\n")) {
            Matcher m = OURS.matcher(line.strip());
            if (m.find() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                DebianPeer.run(List.of("ip", "netns", "del", m.group().split("\\s")[0]), 20);
            }
        }
    }

    /** Adds host {@code name} with {@code address} (e.g. 10.77.0.11/24) on its eth0, joined to the bridge. */
    void addHost(String name, String address) throws IOException, InterruptedException {
        String ns = id + "-" + name;
        ip("netns", "add", ns);
        hosts.put(name, ns);
        ip("-n", ns, "link", "set", "lo", "up");
        String bridgeEnd = "v" + name;
        ip("-n", bridgeNs, "link", "add", bridgeEnd, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", bridgeNs, "link", "set", bridgeEnd, "master", "br0");
        ip("-n", bridgeNs, "link", "set", bridgeEnd, "up");
        ip("-n", ns, "addr", "add", address, "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
    }

    /** The namespace of host {@code name}. */
    String ns(String name) {
        String ns = hosts.get(name);
        if (ns == null) throw new IllegalArgumentException("no host " + name + " in this lab (hosts: " + hosts.keySet() + ")");
        return ns;
    }

    /** A directory for this lab's files (configs, keys, pid files), deleted in {@link #close()}. */
    Path dir() {
        return dir;
    }

    /** Runs {@code ip args...} in the test's namespace and fails with its output when it fails. */
    String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Runs {@code command} inside host {@code name}'s namespace, waiting for it, and fails with its output when it fails. */
    String exec(String name, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
        cmd.addAll(List.of(command));
        return run(cmd);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        DebianPeer.Result r = DebianPeer.run(cmd, 30);
        if (r.exit() != 0) throw new IOException(String.join(" ", cmd) + " failed (exit " + r.exit() + "): " + r.output().strip());
        return r.output();
    }

    /** Starts {@code command} inside host {@code name}'s namespace; the lab stops it in {@link #close()}. */
    NsProcess start(String label, String name, List<String> command, Map<String, String> env, boolean quiet,
                    Consumer<String> listener) throws IOException {
        NsProcess p = NsProcess.start(label, ns(name), command, env, quiet, listener);
        processes.add(p);
        return p;
    }

    /** Starts a JVM with this test's java binary and class path inside host {@code name}'s namespace. */
    NsProcess java(String label, String name, List<String> jvmOptions, String mainClass, List<String> args,
                   boolean quiet, Consumer<String> listener) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow(() -> new IOException("cannot tell this JVM's java binary")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(label, name, cmd, Map.of(), quiet, listener);
    }

    /** The hosts (of {@code names}) whose eth0 holds IPv4 address {@code address} (without prefix length). */
    List<String> holders(String address, List<String> names) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        for (String n : names) {
            String out = ip("-n", ns(n), "-4", "-o", "addr", "show", "dev", "eth0");
            if (Pattern.compile("inet " + Pattern.quote(address) + "/").matcher(out).find()) found.add(n);
        }
        return found;
    }

    /** Takes host {@code name}'s link down (or up again), as if its cable were pulled. */
    void link(String name, boolean up) throws IOException, InterruptedException {
        ip("-n", ns(name), "link", "set", "eth0", up ? "up" : "down");
    }

    /** Writes {@code text} to a file in {@link #dir()}. */
    Path write(String fileName, String text) throws IOException {
        return Files.writeString(dir.resolve(fileName), text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        removeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting; the hook runs or ran
        }
    }

    private synchronized void removeQuietly() {
        for (NsProcess p : processes.reversed()) p.close(); // the latest first: balancers before their back ends
        processes.clear();
        List<String> all = new ArrayList<>(hosts.values());
        all.add(bridgeNs);
        for (String ns : all) {
            try {
                DebianPeer.run(List.of("ip", "netns", "del", ns), 20);
            } catch (IOException e) {
                System.err.println("could not delete network namespace " + ns + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        hosts.clear();
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
