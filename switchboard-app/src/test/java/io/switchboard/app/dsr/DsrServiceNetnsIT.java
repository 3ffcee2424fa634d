package io.switchboard.app.dsr;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.ConfigLoader;
import io.switchboard.config.AdminState;
import io.switchboard.config.DsrConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.PoolRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against the real nft, in a throwaway network namespace (nft runs there through
 * {@code ip netns exec}; the neighbour table and /sys/class/net are files of the test, so the
 * servers' MACs are known without servers): the table written, rewritten when a server leaves, and
 * each bad input (an interface that does not exist, a server without a MAC, no permission) an error
 * that leaves the previous table in the kernel. Needs root; skipped with a message otherwise.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DsrServiceNetnsIT {
    private static final String NS = "sbdsr" + ProcessHandle.current().pid();
    private static PoolRegistry registry;
    private static DsrService service;
    private static Nft nft;
    private static SwitchboardConfig config;

    @TempDir
    static Path dir;

    @BeforeAll
    static void namespace() throws Exception {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.split("\\s+")[1]).findFirst().orElse("?");
        if (!uid.equals("0")) {
            String why = "DSR NETWORK-NAMESPACE TESTS SKIPPED: they need root (a network namespace and nftables); this JVM runs as uid " + uid;
            System.err.println(why);
            Assumptions.abort(why);
        }
        DebianPeer.require("nft", "nftables");
        run("ip", "netns", "add", NS);
        run("ip", "-n", NS, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        run("ip", "-n", NS, "link", "set", "eth0", "up");
        Files.writeString(dir.resolve("arp"), """
                IP address       HW type     Flags       HW address            Mask     Device
                10.0.0.11        0x1         0x2         02:00:00:00:00:11     *        eth0
                10.0.0.12        0x1         0x2         02:00:00:00:00:12     *        eth0
                10.0.0.13        0x1         0x2         02:00:00:00:00:13     *        eth0
                """);
        Files.createDirectories(dir.resolve("net/eth0"));
        Files.writeString(dir.resolve("net/eth0/address"), "02:00:00:00:00:01\n");
        config = ConfigLoader.parse("""
                listeners: [{port: 0, default-pool: web}]
                pools:
                  web:
                    health: {type: none}
                    servers:
                      - {name: s1, address: "10.0.0.11:80"}
                      - {name: s2, address: "10.0.0.12:80"}
                      - {name: s3, address: "10.0.0.13:80"}
                """, "test.yaml", null).config();
        registry = PoolRegistry.start();
        registry.reload(config.pools().values(), Origin.FILE);
        nft = new Nft(List.of("ip", "netns", "exec", NS, "nft"));
        service = new DsrService(registry, nft, new Neighbours(dir.resolve("arp"), dir.resolve("net")), 200);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (service != null) service.close();
        if (registry != null) registry.close();
        DebianPeer.run(List.of("ip", "netns", "del", NS), 20);
    }

    private static DsrConfig dsr(String iface) {
        return new DsrConfig("10.0.0.100", 80, DsrConfig.Protocol.TCP, iface, "web", 251);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        DebianPeer.Result r = DebianPeer.run(List.of(cmd), 30);
        if (r.exit() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
        return r.output();
    }

    private static String kernelTable() throws Exception {
        return nft.list("netdev", DsrConfig.TABLE);
    }

    private static DsrStatus await(Predicate<DsrStatus> p) throws InterruptedException {
        for (int i = 0; i < 200; i++) { // bounded: 10 s
            DsrStatus s = service.status();
            if (s != null && p.test(s)) return s;
            Thread.sleep(50);
        }
        throw new AssertionError("the DSR status never matched; last: " + service.status());
    }

    @Test
    @Order(1)
    void writesTheTableWithEveryServersMac() throws Exception {
        service.start(dsr("eth0"));
        DsrStatus s = service.status();
        assertThat(s.lastError()).isNull();
        assertThat(s.servers()).extracting(DsrStatus.Server::mac).containsExactly("02:00:00:00:00:11", "02:00:00:00:00:12",
                "02:00:00:00:00:13");
        assertThat(s.servers()).extracting(DsrStatus.Server::slots).allSatisfy(n -> assertThat(n).isBetween(83, 84));
        String table = kernelTable();
        System.out.println("the kernel's table:\n" + table.lines().map(l -> l.length() > 300 ? l.substring(0, 300) + " ..." : l)
                .reduce((a, b) -> a + "\n" + b).orElse(""));
        assertThat(table).contains("device \"eth0\"", "02:00:00:00:00:11", "02:00:00:00:00:12", "02:00:00:00:00:13",
                "ether saddr set 02:00:00:00:00:01", "fwd to \"eth0\"");
    }

    @Test
    @Order(2)
    void aServerDrainedLeavesTheTable() throws Exception {
        long before = service.status().applies();
        registry.pool("web").apply(Origin.API, new Change.SetAdmin("s2", AdminState.DRAIN, "test"));
        DsrStatus s = await(x -> x.applies() > before);
        assertThat(s.servers()).extracting(DsrStatus.Server::name).containsExactly("s1", "s3");
        assertThat(kernelTable()).doesNotContain("02:00:00:00:00:12").contains("02:00:00:00:00:11", "02:00:00:00:00:13");
        registry.pool("web").apply(Origin.API, new Change.SetAdmin("s2", AdminState.READY, "test"));
        await(x -> x.servers().size() == 3);
    }

    @Test
    @Order(3)
    void anInterfaceThatDoesNotExistKeepsThePreviousTable() throws Exception {
        String before = kernelTable();
        service.reload(dsr("nosuch0"));
        assertThat(service.status().lastError()).isEqualTo("no interface named 'nosuch0' on this host (interfaces: eth0); the"
                + " table in force stays");
        assertThat(kernelTable()).isEqualTo(before);
        service.reload(dsr("eth0"));
        assertThat(service.status().lastError()).isNull();
    }

    @Test
    @Order(4)
    void aServerWithoutAMacKeepsThePreviousTable() throws Exception {
        String before = kernelTable();
        long applies = service.status().applies();
        registry.pool("web").apply(Origin.API, new Change.Add(new ServerConfig("s4", "192.0.2.14", 80, 1,
                AdminState.READY, 0, Set.of())));
        DsrStatus s = await(x -> x.lastError() != null);
        assertThat(s.lastError()).isEqualTo("server s4 (192.0.2.14) has no MAC address on eth0 (not in the neighbour table after a"
                + " probe: ip -4 neigh show 192.0.2.14): is it up and on the same L2 segment as eth0?");
        assertThat(s.applies()).isEqualTo(applies);
        assertThat(s.servers()).hasSize(3);
        assertThat(kernelTable()).isEqualTo(before);
        registry.pool("web").apply(Origin.API, new Change.Remove("s4"));
        await(x -> x.lastError() == null);
    }

    @Test
    @Order(5)
    void withoutPermissionNothingIsWritten() throws Exception {
        String before = kernelTable();
        Nft unprivileged = new Nft(List.of("ip", "netns", "exec", NS, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "nft"));
        DsrService other = new DsrService(registry, unprivileged, new Neighbours(dir.resolve("arp"), dir.resolve("net")));
        try {
            other.start(dsr("eth0"));
            assertThat(other.status().lastError()).startsWith("nft: ").contains("Operation not permitted")
                    .endsWith(": writing nftables needs root or CAP_NET_ADMIN (this process runs as uid 0)");
            assertThat(other.status().applies()).isZero();
        } finally {
            other.close();
        }
        assertThat(kernelTable()).isEqualTo(before);
    }

    @Test
    @Order(6)
    void aServerThatAnswersFromAnotherMacGetsANewTable() throws Exception {
        long applies = service.status().applies();
        Path arp = dir.resolve("arp");
        Files.writeString(arp, Files.readString(arp).replace("02:00:00:00:00:13", "02:00:00:00:00:33"));
        DsrStatus s = await(x -> x.applies() > applies);
        assertThat(s.servers()).extracting(DsrStatus.Server::mac).containsExactly("02:00:00:00:00:11", "02:00:00:00:00:12",
                "02:00:00:00:00:33");
        assertThat(kernelTable()).contains("02:00:00:00:00:33").doesNotContain("02:00:00:00:00:13");
    }

    @Test
    @Order(7)
    void closingDeletesTheTable() throws Exception {
        service.close();
        service = null;
        assertThat(run("ip", "netns", "exec", NS, "nft", "list", "tables")).doesNotContain(DsrConfig.TABLE);
    }
}
