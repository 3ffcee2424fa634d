package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proxy.DebianPeer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authoritative DNS server as the app wires it from YAML, queried by real clients: dig and kdig
 * directly, and Unbound as a caching resolver in front. Back ends are plain TCP acceptors on
 * distinct loopback addresses, health-checked over TCP, so closing one makes it fail its checks.
 */
class DnsIT {
    private static final String ZONE = "example.test";

    @TempDir
    Path dir;

    private Switchboard switchboard;
    private Process unbound;
    private final Map<String, ServerSocket> backends = new HashMap<>();
    private int port;
    private Path file;
    private String yaml;

    @BeforeEach
    void start() throws Exception {
        DebianPeer.require("dig", "bind9-dnsutils");
        for (String host : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.7", "127.0.0.8")) backend(host);
        StringBuilder big = new StringBuilder();
        for (int i = 1; i <= 60; i++) big.append("      - {name: b").append(i).append(", address: 127.0.1.").append(i).append(":9}\n");
        file = dir.resolve("switchboard.yaml");
        yaml = """
                listeners:
                  - {address: 127.0.0.1, port: 0, default-pool: app}
                pools:
                  app:
                    health: {type: tcp, interval: 200ms, timeout: 200ms, rise: 1, fall: 2}
                    servers:
                      - {name: a2, address: 127.0.0.2:%d}
                      - {name: a3, address: 127.0.0.3:%d}
                      - {name: a4, address: 127.0.0.4:%d}
                  fast:
                    health: {type: tcp, interval: 200ms, timeout: 200ms, rise: 1, fall: 2}
                    servers:
                      - {name: f7, address: 127.0.0.7:%d}
                      - {name: f8, address: 127.0.0.8:%d}
                  weighted:
                    health: {type: none}
                    servers:
                      - {name: heavy, address: 127.0.0.5:9, weight: 3}
                      - {name: light, address: 127.0.0.6:9, weight: 1}
                  big:
                    health: {type: none}
                    servers:
                %sdns:
                  listen: 127.0.0.1:0
                  zones:
                    - origin: example.test
                      soa: {mname: ns1.example.test., rname: hostmaster.example.test., ttl: 1h, minimum: 30s}
                      ns: [ns1.example.test.]
                      pools:
                        - {name: www, pool: app, ttl: 30s}
                        - {name: fast, pool: fast, ttl: 3s}
                        - {name: w, pool: weighted}
                        - {name: big, pool: big, max-records: 60}
                      srv:
                        - {name: _http._tcp.www, pool: app}
                      records:
                        - {name: ns1, type: A, value: 127.0.0.1}
                        - {name: "@", type: TXT, value: "switchboard test zone"}
                watch-config: false
                access-log: "off"
                admin: {address: 127.0.0.1, port: 0}
                """.formatted(port("127.0.0.2"), port("127.0.0.3"), port("127.0.0.4"), port("127.0.0.7"), port("127.0.0.8"),
                big);
        Files.writeString(file, yaml);
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        port = switchboard.dnsAddress().getPort();
        await().atMost(Duration.ofSeconds(15)).until(() -> shortAnswer("www", "A").size() == 3
                && shortAnswer("fast", "A").size() == 2);
    }

    @AfterEach
    void stop() throws Exception {
        if (unbound != null) {
            unbound.destroy();
            if (!unbound.waitFor(5, TimeUnit.SECONDS)) unbound.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (switchboard != null) switchboard.close();
        for (ServerSocket s : backends.values()) s.close();
    }

    @Test
    void aPoolNameListsTheHealthyServersAndADeadOneLeavesWithTheSerialMoving() throws Exception {
        assertThat(shortAnswer("www", "A")).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4");
        long serial = serial();
        backends.remove("127.0.0.3").close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !shortAnswer("www", "A").contains("127.0.0.3"));
        assertThat(shortAnswer("www", "A")).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.4");
        assertThat(serial()).isGreaterThan(serial);
        assertThat(shortAnswer("_http._tcp.www", "SRV")).hasSize(2);
    }

    @Test
    void aReloadReconfiguresTheZonesAndAListenChangeRestartsTheListener() throws Exception {
        long serial = serial();
        Files.writeString(file, yaml.replace("- {name: w, pool: weighted}", "- {name: w2, pool: weighted}"));
        switchboard.reload(ConfigLoader.load(file).config());
        assertThat(shortAnswer("w2", "A")).containsExactlyInAnyOrder("127.0.0.5", "127.0.0.6");
        assertThat(dig("w." + ZONE, "A")).contains("status: NXDOMAIN");
        assertThat(serial()).isGreaterThan(serial);

        int moved = freePort();
        Files.writeString(file, yaml.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + moved));
        switchboard.reload(ConfigLoader.load(file).config());
        assertThat(switchboard.dnsAddress().getPort()).isEqualTo(moved);
        port = moved;
        assertThat(shortAnswer("w", "A")).containsExactlyInAnyOrder("127.0.0.5", "127.0.0.6");

        Files.writeString(file, yaml.substring(0, yaml.indexOf("dns:")) + "watch-config: false\naccess-log: \"off\"\nadmin: {enabled: false}\n");
        switchboard.reload(ConfigLoader.load(file).config());
        assertThat(switchboard.dnsAddress()).isNull();
    }

    @Test
    void weightsDecideWhichServerComesFirst() throws Exception {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 40; i++) first.merge(shortAnswer("w", "A").get(0), 1, Integer::sum);
        System.out.println("first positions over 40 queries, weights 3:1: " + first);
        assertThat(first.get("127.0.0.5")).isBetween(27, 33);
        assertThat(first.get("127.0.0.6")).isBetween(7, 13);
    }

    @Test
    void negativeAnswersRefusalCaseAndAny() throws Exception {
        String nx = dig("nope." + ZONE, "A");
        assertThat(nx).contains("status: NXDOMAIN").contains("flags: qr aa").containsPattern("AUTHORITY SECTION:\\s+example\\.test\\.\\s+\\d+\\s+IN\\s+SOA");
        String nodata = dig("www." + ZONE, "MX");
        assertThat(nodata).contains("status: NOERROR").contains("ANSWER: 0,").containsPattern("AUTHORITY SECTION:\\s+example\\.test\\.\\s+\\d+\\s+IN\\s+SOA");
        assertThat(dig("www.other.test", "A")).contains("status: REFUSED");
        String mixed = dig("WwW.ExAmPlE.tEsT", "A");
        assertThat(mixed).contains(";WwW.ExAmPlE.tEsT.").containsPattern("\\nWwW\\.ExAmPlE\\.tEsT\\.\\s+30\\s+IN\\s+A\\s+127\\.0\\.0\\.");
        String any = dig("www." + ZONE, "ANY");
        assertThat(any).contains("status: NOERROR").contains("ANSWER: 3,");
        assertThat(shortAnswer("@", "TXT")).containsExactly("\"switchboard test zone\"");
        assertThat(switchboard.dnsStats().responses(3)).as("NXDOMAIN counted").isPositive();
        assertThat(switchboard.dnsStats().responses(5)).as("REFUSED counted").isPositive();
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(switchboard.admin().url() + "metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("switchboard_dns_responses_total\\{rcode=\"NXDOMAIN\"\\} [1-9]")
                .containsPattern("switchboard_dns_responses_total\\{rcode=\"REFUSED\"\\} [1-9]")
                .contains("switchboard_dns_truncated_total");
    }

    @Test
    void aLargeAnswerIsTruncatedWithoutEdnsAndComesOverTcp() throws Exception {
        String truncated = dig("big." + ZONE, "A", "+noedns", "+ignore");
        assertThat(truncated).containsPattern("flags: qr aa tc").contains("ANSWER: 0,");
        String retried = dig("big." + ZONE, "A", "+noedns");
        assertThat(retried).contains("Truncated, retrying in TCP mode").contains("ANSWER: 60,");
        String edns = dig("big." + ZONE, "A", "+bufsize=1232");
        assertThat(edns).doesNotContain("Truncated").contains("ANSWER: 60,").contains("EDNS: version: 0");
        DebianPeer.require("kdig", "knot-dnsutils");
        DebianPeer.Result kdig = DebianPeer.run(List.of("kdig", "@127.0.0.1", "-p", String.valueOf(port), "+tcp", "+time=2",
                "+retry=0", "www." + ZONE, "A"), 10);
        assertThat(kdig.exit()).as(kdig.output()).isZero();
        assertThat(kdig.output()).contains("status: NOERROR").contains("(TCP)").contains("127.0.0.2").contains("127.0.0.4");
    }

    @Test
    void unboundInFrontForgetsADeadServerOnlyAfterTheTtl() throws Exception {
        Path binary = DebianPeer.require("unbound", "unbound");
        int resolverPort = freePort();
        Path conf = dir.resolve("unbound.conf");
        Files.writeString(conf, """
                server:
                  interface: 127.0.0.1
                  port: %d
                  do-not-query-localhost: no
                  do-daemonize: no
                  do-ip6: no
                  username: ""
                  chroot: ""
                  directory: "%s"
                  pidfile: ""
                  use-syslog: no
                  logfile: ""
                  verbosity: 0
                  num-threads: 1
                  access-control: 127.0.0.0/8 allow
                  module-config: "iterator"
                  local-zone: "test." nodefault
                  domain-insecure: "example.test"
                  prefetch: no
                  serve-expired: no
                  cache-min-ttl: 0
                stub-zone:
                  name: "example.test"
                  stub-addr: 127.0.0.1@%d
                """.formatted(resolverPort, dir, port));
        unbound = new ProcessBuilder(binary.toString(), "-d", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("unbound.log").toFile()).start();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> shortAnswer(resolverPort, "ns1", "A").contains("127.0.0.1"));

        assertThat(shortAnswer(resolverPort, "fast", "A")).containsExactlyInAnyOrder("127.0.0.7", "127.0.0.8");
        long cached = System.nanoTime(); // Unbound holds the answer for its 3 s TTL from now
        backends.remove("127.0.0.8").close();
        long atSwitchboard = -1;
        long atUnbound = -1;
        for (int i = 0; i < 200 && atUnbound < 0; i++) { // 200 x 100 ms
            long now = System.nanoTime();
            if (atSwitchboard < 0 && !shortAnswer("fast", "A").contains("127.0.0.8")) atSwitchboard = now;
            if (!shortAnswer(resolverPort, "fast", "A").contains("127.0.0.8")) atUnbound = now;
            Thread.sleep(100);
        }
        double sb = (atSwitchboard - cached) / 1e9;
        double ub = (atUnbound - cached) / 1e9;
        System.out.printf("dead server gone: at Switchboard after %.2f s, behind Unbound after %.2f s (TTL 3 s)%n", sb, ub);
        assertThat(atSwitchboard).as("Switchboard dropped the dead server").isPositive();
        assertThat(atUnbound).as("Unbound dropped the dead server").isPositive();
        assertThat(atSwitchboard).isLessThan(atUnbound);
        assertThat(ub).as("Unbound serves its cached answer for most of the TTL").isGreaterThanOrEqualTo(2.0);
    }

    private long serial() throws Exception {
        List<String> soa = shortAnswer("@", "SOA");
        assertThat(soa).hasSize(1);
        return Long.parseLong(soa.get(0).split("\\s+")[2]);
    }

    private List<String> shortAnswer(String name, String type) throws Exception {
        return shortAnswer(port, name, type);
    }

    private static List<String> shortAnswer(int port, String name, String type) throws Exception {
        String fq = name.equals("@") ? ZONE : name + "." + ZONE;
        DebianPeer.Result r = DebianPeer.run(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), "+time=2", "+tries=1",
                "+short", fq, type), 10);
        List<String> out = new ArrayList<>();
        for (String line : r.output().split("\n")) if (!line.isBlank() && !line.startsWith(";")) out.add(line.trim());
        return out;
    }

    private String dig(String name, String type, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), "+time=2", "+tries=1"));
        cmd.addAll(Arrays.asList(options));
        cmd.add(name);
        cmd.add(type);
        DebianPeer.Result r = DebianPeer.run(cmd, 10);
        return r.output();
    }

    /** A TCP acceptor on {@code host} that accepts and closes (the health check only connects). */
    private void backend(String host) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName(host));
        backends.put(host, s);
        Thread.ofPlatform().daemon().start(() -> {
            for (int i = 0; i < 100_000 && !s.isClosed(); i++) {
                try (Socket c = s.accept()) {
                    c.getInputStream().available();
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        });
    }

    private int port(String host) {
        return backends.get(host).getLocalPort();
    }

    /** A port free for both UDP and TCP on 127.0.0.1 (Unbound binds both). */
    private static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket t = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", t.getLocalPort()))) {
                return t.getLocalPort();
            } catch (IOException e) {
                // taken for UDP: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
    }
}
