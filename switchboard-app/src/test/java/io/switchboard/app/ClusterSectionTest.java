package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ClusterConfig;
import io.switchboard.config.ClusterConfig.Endpoint;
import io.switchboard.config.ClusterConfig.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code cluster} section: keys, defaults, every problem at the line it concerns, and reloads. */
class ClusterSectionTest {
    private static final String FILE = "switchboard.yaml";
    private static final String HEAD = ConfigText.ONE_SERVER; // the body starts on line 9
    /** The smallest valid section: its three required keys. */
    private static final String MINIMAL = """
            cluster:
              bind: 127.0.0.1
              peers: [127.0.0.1:7800, 127.0.0.2:7800]
              key-file: cluster.key
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void key() throws Exception {
        Files.write(dir.resolve("cluster.key"), new byte[32]);
    }

    private LoadedConfig load(String body, ConfigLoader.Purpose purpose) throws ConfigException {
        return ConfigLoader.parse(HEAD + body, FILE, dir.resolve(FILE), purpose);
    }

    private ClusterConfig cluster(String body) throws ConfigException {
        return load(body, ConfigLoader.Purpose.RUN).config().cluster();
    }

    private List<String> errors(String body) {
        return ConfigText.errors(() -> load(body, ConfigLoader.Purpose.RUN));
    }

    @Test
    void theDocumentedShapeWithEveryKey() throws Exception {
        ClusterConfig c = cluster("""
                cluster:
                  node: sb1
                  group: edge
                  bind: 127.0.0.1:7801
                  peers: [127.0.0.1:7801, "10.77.0.12", "[fd00::13]:7802", sb4.example:7803]
                  key-file: cluster.key
                  maturity: 3s
                  interface: eth0
                  vips: [10.77.0.100/24, 10.77.0.101/24, "2001:DB8:0:0::7/64"]
                  prefer: [10.77.0.101, 10.77.0.100/24]
                  heartbeat: 200ms
                  failure-timeout: 1s
                  suspect-timeout: 150ms
                  replicate: [stick-tables, health]
                """);
        assertThat(c).isEqualTo(new ClusterConfig("sb1", "edge", "127.0.0.1", 7801,
                List.of(new Endpoint("127.0.0.1", 7801), new Endpoint("10.77.0.12", 7800), new Endpoint("fd00::13", 7802),
                        new Endpoint("sb4.example", 7803)),
                dir.resolve("cluster.key").toAbsolutePath().normalize(), Duration.ofSeconds(3), "eth0",
                List.of("10.77.0.100/24", "10.77.0.101/24", "2001:db8::7/64"), List.of("10.77.0.101/24", "10.77.0.100/24"),
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(150), Set.of(Shared.STICK_TABLES, Shared.HEALTH)));
    }

    @Test
    void defaultsAndNoClusterWithoutTheSection() throws Exception {
        assertThat(cluster("")).isNull();
        ClusterConfig c = cluster(MINIMAL);
        assertThat(c.node()).isEqualTo(ClusterSection.hostName()).isNotBlank();
        assertThat(c.group()).isEqualTo("switchboard");
        assertThat(c.bindHost()).isEqualTo("127.0.0.1");
        assertThat(c.bindPort()).isEqualTo(7800);
        assertThat(c.maturity()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.vipInterface()).isNull();
        assertThat(c.vips()).isEmpty();
        assertThat(c.prefer()).isEmpty();
        assertThat(c.heartbeat()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.failureTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.suspectTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.replicate()).isEqualTo(EnumSet.allOf(Shared.class));
        assertThat(cluster(MINIMAL + "  replicate: []\n").replicate()).isEmpty();
        assertThat(load(MINIMAL + "  node: sb2\n  vips: [10.0.0.1/24]\n  interface: eth0\n", ConfigLoader.Purpose.RUN).summary())
                .isEqualTo("1 listener, 1 pool, 1 server, cluster node sb2 with 2 peers and 1 virtual address");
    }

    @Test
    void unknownKeysBadValuesAndTimeouts() {
        assertThat(errors("""
                cluster:
                  nodes: sb1
                  bind: 127.0.0.1:7800
                  peers: [127.0.0.1:7800]
                  key-file: cluster.key
                  group: "edge group"
                  interface: eth0/1
                  maturity: 2
                  heartbeat: 1s
                  failure-timeout: 500ms
                  suspect-timeout: 0s
                  replicate: [stick-table, admin, admin, {load: true}]
                """)).containsExactly(
                FILE + ":10: cluster.nodes: unknown key 'nodes', did you mean 'node'? (allowed: node, group, bind, peers,"
                        + " key-file, maturity, interface, vips, prefer, heartbeat, failure-timeout, suspect-timeout, replicate)",
                FILE + ":14: cluster.group: 'edge group' is not a valid name (use up to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit)",
                FILE + ":15: cluster.interface: 'eth0/1' is not a network interface name (up to 15 letters, digits, '.', '_',"
                        + " '-' or '@', e.g. eth0)",
                FILE + ":16: cluster.maturity: '2' has no unit (write 2s or 2ms)",
                FILE + ":18: cluster.failure-timeout: failure-timeout 500ms must be longer than heartbeat 1s (a member is"
                        + " suspected when no heartbeat came for that long; e.g. 5 heartbeats)",
                FILE + ":19: cluster.suspect-timeout: '0s' must be more than 0",
                FILE + ":20: cluster.replicate[0]: unknown value 'stick-table', did you mean 'stick-tables'? (allowed:"
                        + " stick-tables, admin, load, health)",
                FILE + ":20: cluster.replicate[2]: admin is listed twice",
                FILE + ":20: cluster.replicate[3]: expected one of stick-tables, admin, load, health; found a mapping");
    }

    @Test
    void requiredKeys() {
        assertThat(errors("cluster:\n")).containsExactly(
                FILE + ":9: cluster: is empty; give at least bind, peers and key-file (or remove the section to run without a cluster)");
        assertThat(errors("cluster: [sb1]\n")).containsExactly(
                FILE + ":9: cluster: expected a mapping of node, group, bind, peers, key-file, maturity, interface, vips, prefer,"
                        + " heartbeat, failure-timeout, suspect-timeout, replicate; found a list");
        assertThat(errors("""
                cluster:
                  node: "sb 1"
                  peers: []
                """)).containsExactly(
                FILE + ":9: cluster.bind: required key is missing (this node's group address: an IP address of this host and a"
                        + " port, e.g. 10.0.0.11:7800)",
                FILE + ":9: cluster.key-file: required key is missing (a file of at least 32 random bytes, the same on every"
                        + " member: head -c 32 /dev/urandom > cluster.key)",
                FILE + ":10: cluster.node: 'sb 1' is not a valid name (use up to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit)",
                FILE + ":11: cluster.peers: at least one peer is required (every member's group address, this node's own may"
                        + " be listed)");
        assertThat(errors("cluster:\n  bind: 127.0.0.1\n  key-file: cluster.key\n")).containsExactly(
                FILE + ":9: cluster.peers: required key is missing (every member's group address, e.g. [10.0.0.11:7800,"
                        + " 10.0.0.12:7800, 10.0.0.13:7800])");
    }

    @Test
    void bindAndPeers() {
        String tail = "  key-file: cluster.key\n";
        assertThat(errors("cluster:\n  bind: sb1.example:7800\n  peers: [127.0.0.1]\n" + tail)).containsExactly(
                FILE + ":10: cluster.bind: 'sb1.example:7800': give an IP address of this host, not a host name (e.g."
                        + " 10.0.0.11:7800)");
        assertThat(errors("cluster:\n  bind: 0.0.0.0:7800\n  peers: [127.0.0.1]\n" + tail)).containsExactly(
                FILE + ":10: cluster.bind: '0.0.0.0:7800': a wildcard address cannot be a member's address; give the one the"
                        + " other members reach this node at (e.g. 10.0.0.11:7800)");
        assertThat(errors("cluster:\n  bind: 127.0.0.1:70000\n  peers: [127.0.0.1]\n" + tail)).containsExactly(
                FILE + ":10: cluster.bind: '127.0.0.1:70000': port 70000 is out of range (allowed: 1-65535)");
        // TEST-NET-1 (RFC 5737) is never an address of this host
        assertThat(errors("cluster:\n  bind: 192.0.2.1\n  peers: [127.0.0.1]\n" + tail)).containsExactly(
                FILE + ":10: cluster.bind: 192.0.2.1 is not an address of this host (give one of this host's addresses: ip -br addr)");
        assertThat(errors("""
                cluster:
                  bind: 127.0.0.1
                  key-file: cluster.key
                  peers:
                    - 127.0.0.1:7800
                    - 127.0.0.2:0
                    - 127.0.0.1
                    - [a, b]
                """)).containsExactly(
                FILE + ":14: cluster.peers[1]: '127.0.0.2:0': port 0 is out of range (allowed: 1-65535)",
                FILE + ":15: cluster.peers[2]: 127.0.0.1:7800 is listed twice (first at line 13)",
                FILE + ":16: cluster.peers[3]: expected a member's group address (host:port, e.g. 10.0.0.11:7800; the port"
                        + " defaults to 7800); found a list");
    }

    @Test
    void aBindAddressOfAnotherHostIsAWarningForCheck() throws Exception {
        LoadedConfig c = load("cluster:\n  bind: 192.0.2.1\n  peers: [192.0.2.1]\n  key-file: cluster.key\n",
                ConfigLoader.Purpose.CHECK);
        assertThat(ConfigText.warnings(c)).containsExactly(
                FILE + ":10: warning: cluster.bind: 192.0.2.1 is not an address of this host; run refuses to start with it");
        assertThat(c.config().cluster().bindHost()).isEqualTo("192.0.2.1");
    }

    @Test
    void virtualAddressesAndPreferences() {
        assertThat(errors(MINIMAL + """
                  vips:
                    - 10.0.0.100/24
                    - 10.0.0.100/25
                    - 10.0.0.300/24
                    - 10.0.0.101
                    - 10.0.0.102/33
                    - 10.0.0.103/24
                  prefer: [10.0.0.100/25, 10.0.0.104, 10.0.0.100, 10.0.0.100/24, 10.0.0.103/24]
                """)).containsExactly(
                FILE + ":13: cluster.interface: required when vips is given (the network interface the held virtual addresses"
                        + " are added to, e.g. eth0)",
                FILE + ":15: cluster.vips[1]: 10.0.0.100 is listed twice (first at line 14; each virtual address once)",
                FILE + ":16: cluster.vips[2]: '10.0.0.300/24': '10.0.0.300' is not an IP address (write e.g. 10.0.0.100/24 or"
                        + " 2001:db8::100/64)",
                FILE + ":17: cluster.vips[3]: '10.0.0.101' has no prefix length (write the address with its network's, e.g."
                        + " 10.0.0.100/24)",
                FILE + ":18: cluster.vips[4]: '10.0.0.102/33': prefix length '33' is not valid (allowed: 1-32)",
                FILE + ":20: cluster.prefer[0]: '10.0.0.100/25' is not one of the vips, did you mean '10.0.0.100/24'? (vips:"
                        + " 10.0.0.100/24, 10.0.0.103/24)",
                FILE + ":20: cluster.prefer[1]: '10.0.0.104' is not one of the vips (vips: 10.0.0.100/24, 10.0.0.103/24)",
                FILE + ":20: cluster.prefer[3]: 10.0.0.100/24 is listed twice");
        assertThat(errors(MINIMAL + "  prefer: [10.0.0.1/24]\n")).containsExactly(
                FILE + ":13: cluster.prefer[0]: '10.0.0.1/24' is not one of the vips (vips lists none)");
    }

    @Test
    void theKeyFileIsReadAtLoad() throws Exception {
        Path key = dir.resolve("cluster.key").toAbsolutePath().normalize();
        String head = "cluster:\n  bind: 127.0.0.1\n  peers: [127.0.0.1]\n";
        Files.write(key, new byte[31]);
        assertThat(errors(head + "  key-file: cluster.key\n")).containsExactly(
                FILE + ":12: cluster.key-file: " + key + " holds 31 bytes; the key must be at least 32 (head -c 32 /dev/urandom > "
                        + key + ")");
        Path missing = dir.resolve("nope.key").toAbsolutePath().normalize();
        assertThat(ConfigText.errors(() -> load(head + "  key-file: nope.key\n", ConfigLoader.Purpose.CHECK))).containsExactly(
                FILE + ":12: cluster.key-file: no such file: " + missing + " (make one with: head -c 32 /dev/urandom > " + missing
                        + ", and copy it to every member)");
        Path sub = Files.createDirectory(dir.resolve("keys")).toAbsolutePath().normalize();
        assertThat(errors(head + "  key-file: keys\n")).containsExactly(
                FILE + ":12: cluster.key-file: " + sub + " is a directory (give the key's file)");
        Files.write(key, new byte[64]);
        assertThat(cluster(head + "  key-file: " + key + "\n").keyFile()).isEqualTo(key);
    }

    @Test
    void aReloadThatChangesTheSectionIsRefusedNamingTheKey() throws Exception {
        ClusterConfig before = cluster(MINIMAL + "  node: sb1\n");
        assertThat(ClusterSection.reloadChange(before, cluster(MINIMAL + "  node: sb1\n"))).isNull();
        assertThat(ClusterSection.reloadChange(null, null)).isNull();
        String restart = "; the cluster is joined when Switchboard starts, so restart it to change the cluster section"
                + " (the running config is kept)";
        assertThat(ClusterSection.reloadChange(before, cluster(MINIMAL + "  node: sb1\n  interface: eth0\n  vips: [10.0.0.1/24]\n")))
                .isEqualTo("cluster.interface changed" + restart);
        assertThat(ClusterSection.reloadChange(before, cluster(MINIMAL + "  node: sb1\n  heartbeat: 50ms\n")))
                .isEqualTo("cluster.heartbeat changed" + restart);
        assertThat(ClusterSection.reloadChange(before, null)).isEqualTo("the cluster section was removed" + restart);
        assertThat(ClusterSection.reloadChange(null, before)).isEqualTo("the cluster section was added" + restart);
    }
}
