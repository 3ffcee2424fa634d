package io.switchboard.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19's direct server return, end to end in network namespaces on one bridge: a client (c,
 * 10.77.0.50) whose route to the virtual address 10.77.0.100 goes via the director (d, 10.77.0.10),
 * which runs {@code ./switchboard run -c FILE} with a {@code dsr:} section on its eth0, and three
 * servers (s1-s3, 10.77.0.21-23, {@link DemoBackend} on port 80, answering their name) set up with
 * the script {@code switchboard dsr print-backend-setup} prints. The director also has an ordinary
 * HTTP listener (10.77.0.10:8080) on the same pool, for the comparison.
 * <ul>
 *   <li>Requests to the virtual address are answered, by all three servers.</li>
 *   <li>Replies do not pass through the director: the table's own counter of packets from the
 *       virtual address arriving on its eth0 stays 0, while the forwarding rule counts the client's.</li>
 *   <li>A server killed: its flows move (the health check takes it out, the table is rewritten), and
 *       every open keep-alive connection on the other servers still works, on the same server.</li>
 *   <li>Printed (no timed assertion): the director's CPU per request with DSR and through its own
 *       HTTP proxy on the same traffic.</li>
 *   <li>On SIGTERM the director deletes its table.</li>
 * </ul>
 * Needs root (skipped with a message otherwise). Runs in the {@code cluster} Maven profile, after
 * {@code package}, so that {@code ./switchboard} finds its jar.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DsrNetnsIT {
    static final List<String> SERVERS = List.of("s1", "s2", "s3");
    static final String VIP = "10.77.0.100";
    static final String DIRECTOR = "10.77.0.10";
    static final int REQUESTS = 20_000;
    static final int CONNECTIONS = 20;
    static final int KEPT_OPEN = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes (\\d+)");

    private static NetnsLab lab;
    private static NsProcess director;
    private static final Map<String, NsProcess> servers = new LinkedHashMap<>();
    private static final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void network() throws Exception {
        lab = NetnsLab.create();
        DebianPeer.require("nft", "nftables");
        Path launcher = launcher();
        assertThat(launcher).as("the launcher next to the modules").isExecutable();
        lab.addHost("d", DIRECTOR + "/24");
        for (int i = 0; i < SERVERS.size(); i++) lab.addHost(SERVERS.get(i), "10.77.0." + (21 + i) + "/24");
        lab.addHost("c", "10.77.0.50/24");
        lab.ip("-n", lab.ns("c"), "route", "add", VIP + "/32", "via", DIRECTOR);
        Path config = lab.write("director.yaml", config());

        // each server runs exactly what the command prints
        DebianPeer.Result setup = DebianPeer.run(List.of(launcher.toString(), "dsr", "print-backend-setup", "-c", config.toString()), 120);
        assertThat(setup.exit()).as(setup.output()).isZero();
        String script = setup.output().substring(setup.output().indexOf("#!/bin/sh"));
        System.out.println("switchboard dsr print-backend-setup printed:\n" + script);
        Path file = lab.write("backend-setup.sh", script);
        for (String s : SERVERS) lab.exec(s, "sh", file.toString());
        for (String s : SERVERS) startServer(s);

        director = lab.start("director", "d", List.of(launcher.toString(), "run", "-c", config.toString()),
                Map.of("SWITCHBOARD_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC"), false, null);
        director.awaitLine(l -> l.contains("ready (pid "), Duration.ofSeconds(90));
        awaitTable(3);
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) lab.close();
        if (!figures.isEmpty()) {
            System.out.println("\n==== direct server return, 3 servers on one bridge, director " + DIRECTOR + " ====");
            figures.forEach(f -> System.out.println("- " + f));
            System.out.println();
        }
    }

    static Path launcher() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("switchboard");
    }

    static String config() {
        String list = SERVERS.stream().map(s -> "      - {name: " + s + ", address: \"10.77.0." + (21 + SERVERS.indexOf(s)) + ":80\"}")
                .collect(Collectors.joining("\n"));
        return """
                access-log: off
                shutdown-grace: 1s
                listeners:
                  - name: web
                    address: 0.0.0.0
                    port: 8080
                    default-pool: web
                admin:
                  address: 127.0.0.1
                  port: 9000
                pools:
                  web:
                    health: {type: tcp, interval: 300ms, fall: 2, rise: 1}
                    servers:
                %s
                dsr:
                  vip: %s
                  port: 80
                  interface: eth0
                  pool: web
                """.formatted(list, VIP);
    }

    private static void startServer(String s) throws Exception {
        NsProcess p = lab.java(s, s, List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), DemoBackend.class.getName(),
                List.of(s, "0.0.0.0", "80", "0"), true, null);
        p.awaitLine(l -> l.contains(" listening on "), Duration.ofSeconds(30));
        servers.put(s, p);
    }

    @Test
    @Order(1)
    void requestsToTheVirtualAddressAreAnsweredByEveryServerAndRepliesBypassTheDirector() throws Exception {
        long[] before = counters();
        long[] link = link();
        String load = load(VIP + ":80", 60, 600);
        long[] after = counters();
        long[] linkAfter = link();
        Map<String, Long> served = served(load);
        long forwarded = after[0] - before[0];
        long replies = after[1] - before[1];
        figures.add("600 requests on 60 keep-alive connections to " + VIP + ":80: " + load.replace("load ", ""));
        figures.add("served by each server: " + served);
        figures.add("packets on the director's eth0: client -> servers (forwarded by the table) " + forwarded
                + ", servers -> clients (from " + VIP + ") " + replies + "; eth0 rx " + (linkAfter[0] - link[0]) + ", tx "
                + (linkAfter[1] - link[1]) + " packets in all");
        assertThat(load).contains("failed=0");
        assertThat(served).as("answered by every server").containsOnlyKeys(SERVERS).allSatisfy((s, n) -> assertThat(n).isPositive());
        assertThat(forwarded).as("client packets forwarded by the director").isGreaterThanOrEqualTo(600);
        assertThat(replies).as("reply packets that reached the director").isZero();
        JsonNode api = dsrStatus();
        figures.add("GET /api/v1/dsr counters: packets " + api.path("packets") + ", replyPackets " + api.path("replyPackets"));
        assertThat(api.path("packets").asLong()).isEqualTo(after[0]);
        assertThat(api.path("replyPackets").isNumber()).isTrue();
        assertThat(api.path("replyPackets").asLong()).isZero();
        // what the director received it sent on (the forwarded packets), plus its own health checks and ARP
        assertThat(linkAfter[1] - link[1]).isGreaterThanOrEqualTo(forwarded);
    }

    @Test
    @Order(2)
    void directorCpuPerRequestWithDsrAndThroughTheProxy() throws Exception {
        load(VIP + ":80", CONNECTIONS, 2_000); // warm both paths
        load(DIRECTOR + ":8080", CONNECTIONS, 2_000);
        Cpu dsr = measure(VIP + ":80");
        Cpu proxy = measure(DIRECTOR + ":8080");
        long idle0 = processCpuMillis(director.pid());
        Thread.sleep(dsr.wallMillis);
        long idle = processCpuMillis(director.pid()) - idle0;
        figures.add("CPU, " + REQUESTS + " requests on " + CONNECTIONS + " keep-alive connections each way (director JVM = utime+stime of"
                + " its process; softirq = the whole machine's, client and servers included, as /proc/stat counts it):");
        figures.add("  DSR   " + dsr);
        figures.add("  proxy " + proxy);
        figures.add("  the director JVM without traffic for " + dsr.wallMillis + " ms (health checks every 300 ms, timers): " + idle
                + " ms CPU; so with DSR its JVM spends about nothing per request");
        figures.add("  in DSR the forwarding runs in the director's kernel (softirq, not attributable to a namespace); its JVM"
                + " only runs health checks and the table");
        assertThat(dsr.failed).isZero();
        assertThat(proxy.failed).isZero();
    }

    @Test
    @Order(3)
    void killingAServerMovesOnlyItsFlows() throws Exception {
        Path go = lab.dir().resolve("go");
        NsProcess client = lab.java("conns", "c", List.of("-Xmx48m", "-XX:+UseSerialGC"), DsrClient.class.getName(),
                List.of("conns", VIP + ":80", String.valueOf(KEPT_OPEN), go.toString()), true, null);
        client.awaitLine("opened"::equals, Duration.ofSeconds(60));
        Map<Integer, String> first = new TreeMap<>();
        for (String l : client.output()) {
            if (l.startsWith("conn ")) first.put(Integer.parseInt(l.split(" ")[1]), l.split(" ")[2]);
        }
        Map<String, Long> byServer = first.values().stream().collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        String victim = byServer.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        long applies = dsrStatus().path("applies").asLong();
        NsProcess.killAll(List.of(servers.remove(victim)));
        JsonNode table = awaitTable(2);
        assertThat(table.path("applies").asLong()).isGreaterThan(applies);
        assertThat(table.path("servers").findValuesAsText("name")).doesNotContain(victim);
        Files.writeString(go, "go");
        client.awaitLine("done"::equals, Duration.ofSeconds(60));
        int kept = 0;
        int keptElsewhere = 0;
        int movedOk = 0;
        int movedFailed = 0;
        List<String> broken = new ArrayList<>();
        for (String l : client.output()) {
            if (!l.startsWith("again ")) continue;
            String[] f = l.split(" ", 4);
            String was = first.get(Integer.parseInt(f[1]));
            boolean failed = f[2].equals("FAIL");
            if (was.equals(victim)) {
                if (failed) movedFailed++;
                else movedOk++;
            } else if (!failed && f[2].equals(was)) {
                kept++;
            } else {
                if (!failed) keptElsewhere++;
                broken.add("connection " + f[1] + " on " + was + ": " + l);
            }
        }
        int others = (int) first.values().stream().filter(s -> !s.equals(victim)).count();
        figures.add(KEPT_OPEN + " keep-alive connections " + byServer + "; " + victim + " killed (SIGKILL), the table rewritten"
                + " without it: " + kept + " of " + others + " connections on the other servers answered again by the same server;"
                + " of the " + (movedOk + movedFailed) + " on " + victim + ", " + movedFailed + " were reset (their flows now reach"
                + " another server, which has no such connection)" + (movedOk > 0 ? ", " + movedOk + " answered" : ""));
        assertThat(broken).as("connections on the servers that stayed").isEmpty();
        assertThat(kept).isEqualTo(others).isPositive();
        assertThat(keptElsewhere).isZero();
        // new connections now go to the two others only
        Map<String, Long> served = served(load(VIP + ":80", 30, 300));
        figures.add("after the kill, 300 requests on 30 new connections: " + served);
        assertThat(served).doesNotContainKey(victim).hasSize(2);
    }

    @Test
    @Order(4)
    void sigtermDeletesTheTable() throws Exception {
        assertThat(lab.exec("d", "nft", "list", "tables")).contains("switchboard_dsr");
        DebianPeer.run(List.of("kill", "-TERM", String.valueOf(director.pid())), 10);
        director.awaitLine(l -> l.contains("dsr: table switchboard_dsr deleted"), Duration.ofSeconds(30));
        ProcessHandle.of(director.pid()).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        assertThat(lab.exec("d", "nft", "list", "tables")).doesNotContain("switchboard_dsr");
    }

    private record Cpu(long requests, long failed, long wallMillis, long directorMillis, long softirqMillis, long rx, long tx) {
        @Override
        public String toString() {
            return String.format("%d requests (%d failed) in %d ms: director JVM %d ms CPU = %.1f µs/request; machine softirq %d ms"
                            + " = %.1f µs/request; director eth0 %.2f packets in + %.2f out per request", requests, failed, wallMillis,
                    directorMillis, 1000.0 * directorMillis / requests, softirqMillis, 1000.0 * softirqMillis / requests,
                    (double) rx / requests, (double) tx / requests);
        }
    }

    private static Cpu measure(String target) throws Exception {
        long[] link0 = link();
        long cpu0 = processCpuMillis(director.pid());
        long soft0 = softirqMillis();
        String out = load(target, CONNECTIONS, REQUESTS);
        long cpu1 = processCpuMillis(director.pid());
        long soft1 = softirqMillis();
        long[] link1 = link();
        Matcher m = Pattern.compile("ok=(\\d+) failed=(\\d+) ms=(\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new Cpu(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), cpu1 - cpu0, soft1 - soft0,
                link1[0] - link0[0], link1[1] - link0[1]);
    }

    /** utime + stime of a process, in ms (from clock ticks at USER_HZ 100). */
    private static long processCpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** The machine's softirq time, in ms. */
    private static long softirqMillis() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        return Long.parseLong(f[7]) * 10;
    }

    /** Runs {@link DsrClient} load in the client's namespace; its result line. */
    private static String load(String target, int connections, int requests) throws Exception {
        NsProcess p = lab.java("load", "c", List.of("-Xmx64m", "-XX:+UseSerialGC"), DsrClient.class.getName(),
                List.of("load", target, String.valueOf(connections), String.valueOf(requests)), true, null);
        String line = p.awaitLine(l -> l.startsWith("load "), Duration.ofSeconds(180));
        p.close();
        return line;
    }

    private static Map<String, Long> served(String load) {
        Map<String, Long> out = new TreeMap<>();
        String list = load.substring(load.indexOf("servers=") + "servers=".length()).trim();
        if (list.isEmpty()) return out;
        for (String kv : list.split(",")) out.put(kv.split("=")[0], Long.parseLong(kv.split("=")[1]));
        return out;
    }

    /** {forwarded packets, packets from the virtual address} of the director's table. */
    private static long[] counters() throws Exception {
        long forwarded = -1;
        long replies = -1;
        for (String l : lab.exec("d", "nft", "list", "table", "netdev", "switchboard_dsr").split("\n")) {
            Matcher m = COUNTER.matcher(l);
            if (!m.find()) continue;
            if (l.contains("replies through the director")) replies = Long.parseLong(m.group(1));
            else if (l.contains("fwd to")) forwarded = Long.parseLong(m.group(1));
        }
        assertThat(forwarded).as("the forwarding rule's counter").isNotNegative();
        assertThat(replies).as("the replies' counter").isNotNegative();
        return new long[] {forwarded, replies};
    }

    /** {rx, tx} packets of the director's eth0. */
    private static long[] link() throws Exception {
        long rx = Long.parseLong(lab.exec("d", "cat", "/sys/class/net/eth0/statistics/rx_packets").strip());
        long tx = Long.parseLong(lab.exec("d", "cat", "/sys/class/net/eth0/statistics/tx_packets").strip());
        return new long[] {rx, tx};
    }

    /** {@code GET /api/v1/dsr} on the director's loopback admin listener. */
    private static JsonNode dsrStatus() throws Exception {
        DebianPeer.Result r = DebianPeer.run(List.of("ip", "netns", "exec", lab.ns("d"), "curl", "-s", "-m", "2",
                "http://127.0.0.1:9000/api/v1/dsr"), 10);
        if (r.exit() != 0) throw new IOException("GET /api/v1/dsr: " + r.output());
        return JSON.readTree(r.output());
    }

    /** Waits (bounded: 30 s) until the table in force has {@code n} servers and no error; returns the status. */
    private static JsonNode awaitTable(int n) throws Exception {
        JsonNode s = null;
        for (int i = 0; i < 300; i++) {
            try {
                s = dsrStatus();
                if (s.path("servers").size() == n && s.path("lastError").isNull()) {
                    System.out.println("GET /api/v1/dsr: " + s);
                    return s;
                }
            } catch (IOException e) {
                // the admin listener is not up yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the DSR table never had " + n + " servers; last GET /api/v1/dsr: " + s);
    }
}
