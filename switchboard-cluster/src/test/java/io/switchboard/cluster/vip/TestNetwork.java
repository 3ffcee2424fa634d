package io.switchboard.cluster.vip;

import io.switchboard.proxy.DebianPeer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Network namespaces a test creates and removes itself, named {@code sb-h1-<pid>-<suffix>} so that
 * parallel runs never meet. Needs root; without it the test is skipped with the reason.
 */
public final class TestNetwork implements AutoCloseable {
    private final List<String> created = new ArrayList<>();
    private final String base = "sb-h1-" + ProcessHandle.current().pid() + "-";

    /** Skips the calling test when namespaces cannot be made here. */
    public static void assumeRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) || uid() == 0,
                "needs root to create network namespaces and add addresses (ip netns add); running as "
                        + System.getProperty("user.name"));
    }

    private static long uid() {
        try {
            return Long.parseLong(DebianPeer.run(List.of("id", "-u"), 10).output().strip());
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return -1;
        }
    }

    /** Creates namespace {@code <base><suffix>} with loopback up; returns its name. */
    public String namespace(String suffix) throws IOException, InterruptedException {
        String name = base + suffix;
        DebianPeer.run(List.of("ip", "netns", "del", name), 10);
        must("ip", "netns", "add", name);
        created.add(name);
        must("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /**
     * Interface {@code dev}, up, in namespace {@code ns}: one end of a veth pair whose other end
     * ({@code dev} + "p") is in the same namespace (this kernel may lack the dummy driver).
     */
    public void veth(String ns, String dev) throws IOException, InterruptedException {
        must("ip", "-n", ns, "link", "add", dev, "type", "veth", "peer", "name", dev + "p");
        must("ip", "-n", ns, "link", "set", dev + "p", "up");
        must("ip", "-n", ns, "link", "set", dev, "up");
    }

    /** The {@code ip -o addr show dev} output of {@code dev} in {@code ns}. */
    public static String addresses(String ns, String dev) throws IOException, InterruptedException {
        return must("ip", "-n", ns, "-o", "addr", "show", "dev", dev);
    }

    public static String must(String... cmd) throws IOException, InterruptedException {
        DebianPeer.Result r = DebianPeer.run(List.of(cmd), 30);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    /** The prefix that runs a command in {@code ns}. */
    public static List<String> in(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (String ns : created.reversed()) {
            DebianPeer.run(List.of("ip", "netns", "del", ns), 30);
        }
        created.clear();
    }
}
