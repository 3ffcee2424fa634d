package io.switchboard.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The baseline the cluster is measured against (issue 17): keepalived from Debian doing VRRP for
 * 10.77.0.100 in three node namespaces, each node serving HTTP on port 80 itself (a
 * {@link DemoBackend} answering with the node's name), and a client namespace sending a request every
 * 20 ms to the address ({@link ProbeClient}). Two failures of the master, each {@link #RUNS} times,
 * for VRRPv2 with {@code advert_int 1} and VRRPv3 with {@code advert_int 0.1}:
 * <ul>
 *   <li>crash: SIGKILL to keepalived (both its processes) and to the node's HTTP server at the same
 *       moment, what a crash of the balancing software looks like. As with any SIGKILL the address
 *       stays on the dead node's interface (nothing removes it), so clients get resets until a
 *       backup notices the missing adverts and takes the address with gratuitous ARP. Killing
 *       keepalived alone would measure nothing: the old master would go on serving.</li>
 *   <li>link down: the master's eth0 goes down, as if its cable were pulled.</li>
 * </ul>
 * The outage (from the failure, for a crash the moment the killed processes are gone, to the first
 * answer at the address to a request sent after it) is
 * printed as a table; only correctness is asserted: the address is served again, by another node,
 * and is held by exactly one node once the failed node is back.
 *
 * <p>Needs root; without it the test is skipped with a message ({@link NetnsLab#create()}). Runs in
 * the {@code cluster} Maven profile.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KeepalivedNetnsIT {
    static final int RUNS = 5;
    static final String VIP = "10.77.0.100";
    static final String TARGET = VIP + ":80";
    static final List<String> NODES = List.of("n1", "n2", "n3");

    private static NetnsLab lab;
    private static Path keepalived;
    private static final ProbeLog log = new ProbeLog();
    private static final Map<String, NsProcess> servers = new HashMap<>();
    private static final Map<String, NsProcess> daemons = new HashMap<>();
    private static final Figures figures = new Figures();

    @BeforeAll
    static void network() throws Exception {
        lab = NetnsLab.create();
        keepalived = DebianPeer.require("keepalived", "keepalived");
        for (int i = 0; i < NODES.size(); i++) lab.addHost(NODES.get(i), "10.77.0." + (11 + i) + "/24");
        lab.addHost("c", "10.77.0.50/24");
        for (String n : NODES) startServer(n);
        NsProcess client = lab.java("client", "c", List.of("-Xmx64m", "-XX:+UseSerialGC"), ProbeClient.class.getName(),
                List.of("20", "900", "0", TARGET), true, log::accept);
        client.awaitLine("ready"::equals, Duration.ofSeconds(30));
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
        if (!figures.isEmpty()) System.out.println(figures.table("keepalived " + keepalivedVersion() + " (VRRP), 3 nodes, client every 20 ms, new connection per request"));
    }

    @Test
    @Order(1)
    void vrrpV2AdvertOneSecond() throws Exception {
        failovers("VRRPv2 advert_int 1", 2, "1");
    }

    @Test
    @Order(2)
    void vrrpV3AdvertTenthOfASecond() throws Exception {
        failovers("VRRPv3 advert_int 0.1", 3, "0.1");
    }

    private void failovers(String name, int version, String advert) throws Exception {
        for (String n : NODES) if (!servers.get(n).isAlive()) startServer(n); // an earlier test failed half-way
        for (int i = 0; i < NODES.size(); i++) startKeepalived(NODES.get(i), version, advert, 150 - 50 * i);
        try {
            String master = awaitSingleHolder();
            assertThat(log.awaitSteady(TARGET, System.currentTimeMillis(), 10, 20_000)).as("%s served at first", TARGET).isTrue();
            List<ProbeLog.Failover> crashes = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                master = awaitSingleHolder();
                assertThat(log.awaitSteady(TARGET, System.currentTimeMillis(), 10, 20_000)).as("%s served before the failure", TARGET).isTrue();
                long failedAt = NsProcess.killAll(List.of(daemons.get(master), servers.get(master))); // a SIGKILLed JVM answers for some ms more
                crashes.add(recovery(master, failedAt));
                lab.exec(master, "ip", "addr", "del", VIP + "/24", "dev", "eth0"); // what its reboot would do
                startServer(master);
                startKeepalived(master, version, advert, priority(master));
                awaitSingleHolder();
            }
            figures.add(name + ", crash (SIGKILL keepalived + the node's server)", crashes, "address left on the dead node");
            List<ProbeLog.Failover> cuts = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                master = awaitSingleHolder();
                assertThat(log.awaitSteady(TARGET, System.currentTimeMillis(), 10, 20_000)).as("%s served before the failure", TARGET).isTrue();
                long failedAt = System.currentTimeMillis();
                int mark = daemons.get(master).mark();
                lab.link(master, false);
                cuts.add(recovery(master, failedAt));
                lab.link(master, true);
                daemons.get(master).awaitLine(mark, l -> l.contains("Entering BACKUP STATE"), Duration.ofSeconds(30));
                awaitSingleHolder();
            }
            figures.add(name + ", link down of the master", cuts, "");
        } finally {
            for (String n : NODES) {
                NsProcess d = daemons.remove(n);
                if (d != null) d.kill();
                if (!lab.holders(VIP, List.of(n)).isEmpty()) lab.exec(n, "ip", "addr", "del", VIP + "/24", "dev", "eth0");
            }
        }
    }

    /** Waits until the address is served again after the failure of {@code failed} and the requests of the failure have ended. */
    private ProbeLog.Failover recovery(String failed, long failedAt) throws Exception {
        boolean served = log.awaitSteady(TARGET, failedAt, 10, 30_000);
        Thread.sleep(Math.max(0, failedAt + ProbeClient.CONNECT_TIMEOUT_MILLIS + ProbeClient.READ_TIMEOUT_MILLIS + 500 - System.currentTimeMillis()));
        ProbeLog.Failover f = log.failover(TARGET, failedAt);
        System.out.println("failover at " + TARGET + " after " + failed + " failed: " + f);
        assertThat(served).as("%s served again after %s failed", TARGET, failed).isTrue();
        assertThat(f.servedBy()).as("who served %s first after %s failed", TARGET, failed).isNotEqualTo(failed);
        return f;
    }

    /** Waits (bounded) until exactly one node holds the address, and returns it. */
    private static String awaitSingleHolder() throws Exception {
        List<String> holders = List.of();
        for (int i = 0; i < 300; i++) {
            holders = lab.holders(VIP, NODES);
            if (holders.size() == 1) return holders.getFirst();
            Thread.sleep(100);
        }
        throw new AssertionError(VIP + " is held by " + holders + " after 30 s; expected exactly one of " + NODES);
    }

    private static int priority(String node) {
        return 150 - 50 * NODES.indexOf(node);
    }

    private static void startServer(String node) throws Exception {
        NsProcess p = lab.java("http-" + node, node, List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                DemoBackend.class.getName(), List.of(node, "0.0.0.0", "80", "0"), true, null);
        p.awaitLine(l -> l.contains(" listening on "), Duration.ofSeconds(30));
        servers.put(node, p);
    }

    private static void startKeepalived(String node, int version, String advert, int priority) throws Exception {
        Path dir = Files.createDirectories(lab.dir().resolve("keepalived-" + node));
        Path conf = Files.writeString(dir.resolve("keepalived.conf"), """
                global_defs {
                    router_id %s
                    vrrp_version %d
                }
                vrrp_instance VI_1 {
                    state BACKUP
                    nopreempt
                    interface eth0
                    virtual_router_id 77
                    priority %d
                    advert_int %s
                    virtual_ipaddress {
                        %s/24 dev eth0
                    }
                }
                """.formatted(node, version, priority, advert, VIP));
        for (String f : List.of("keepalived.pid", "vrrp.pid", "checkers.pid")) Files.deleteIfExists(dir.resolve(f));
        NsProcess p = lab.start("keepalived-" + node, node, List.of(keepalived.toString(), "--dont-fork", "--log-console",
                "--log-detail", "--vrrp", "--use-file", conf.toString(), "--pid", dir.resolve("keepalived.pid").toString(),
                "--vrrp_pid", dir.resolve("vrrp.pid").toString(), "--checkers_pid", dir.resolve("checkers.pid").toString()),
                Map.of(), false, null);
        p.awaitLine(l -> l.contains("Entering BACKUP STATE") || l.contains("Entering MASTER STATE"), Duration.ofSeconds(30));
        daemons.put(node, p);
    }

    private static String keepalivedVersion() {
        try {
            String out = DebianPeer.run(List.of("dpkg-query", "-W", "-f=${Version}", "keepalived"), 20).output().strip();
            return out.isEmpty() || out.contains("no packages") ? "" : out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
