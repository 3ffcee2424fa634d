package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.registry.Pool;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload of a running dispatcher from its file, as SIGHUP does it: servers change in place, pools
 * come and go, a broken file or a listener change leaves the running config alone.
 */
class ReloadIT {
    @TempDir
    Path dir;

    private DemoBackend alpha;
    private DemoBackend bravo;
    private DemoBackend charlie;
    private Path file;
    private Switchboard switchboard;
    private HttpTestClient client;

    @BeforeEach
    void start() throws Exception {
        alpha = new DemoBackend("alpha").start("127.0.0.1", 0);
        bravo = new DemoBackend("bravo").start("127.0.0.1", 0);
        charlie = new DemoBackend("charlie").start("127.0.0.1", 0);
        file = dir.resolve("switchboard.yaml");
        write("round-robin", servers(alpha, bravo), "");
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        client = new HttpTestClient();
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        if (switchboard != null) switchboard.close();
        for (DemoBackend b : new DemoBackend[] {alpha, bravo, charlie}) if (b != null) b.close();
    }

    private void write(String algorithm, String servers, String extra) throws Exception {
        Files.writeString(file, """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    algorithm: %s
                    servers:
                %s%s
                event-loops: 1
                access-log: off
                shutdown-grace: 1s
                admin:
                  port: 0
                """.formatted(algorithm, servers, extra));
    }

    private static String servers(DemoBackend... backends) {
        StringBuilder sb = new StringBuilder();
        for (DemoBackend b : backends) {
            sb.append("      - name: ").append(b.name()).append("\n        address: 127.0.0.1:").append(b.port()).append('\n');
        }
        return sb.toString();
    }

    private InetSocketAddress web() {
        return switchboard.boundAddress("web");
    }

    @Test
    void serversChangeInPlace() throws Exception {
        Pool before = switchboard.pools().get("app");
        assertThat(client.distribution(web(), 10)).containsOnlyKeys("alpha", "bravo");

        write("round-robin", servers(alpha, charlie), "");
        assertThat(switchboard.reloadFromSource()).isTrue();

        assertThat(client.distribution(web(), 10)).containsOnlyKeys("alpha", "charlie");
        assertThat(switchboard.pools().get("app")).isSameAs(before);
        long bravoRequests = bravo.requestCount();
        client.distribution(web(), 6);
        assertThat(bravo.requestCount()).isEqualTo(bravoRequests);
    }

    @Test
    void weightZeroAndDrainTakeABackEndOutOfRotation() throws Exception {
        write("round-robin", servers(alpha) + "        weight: 0\n" + servers(bravo) + servers(charlie) + "        state: drain\n", "");
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(client.distribution(web(), 8)).containsOnlyKeys("bravo");
    }

    @Test
    void changedAlgorithmReconfiguresThePoolInPlaceAndNewPoolsAppear() throws Exception {
        Pool before = switchboard.pools().get("app");
        var alphaBackend = before.backend("alpha");
        write("least-conn", servers(alpha, bravo), """
                  spare:
                    servers:
                      - name: charlie
                        address: 127.0.0.1:%d
                """.formatted(charlie.port()));
        assertThat(switchboard.reloadFromSource()).isTrue();

        Map<String, Pool> pools = switchboard.pools();
        assertThat(pools).containsOnlyKeys("app", "spare");
        assertThat(pools.get("app")).as("the pool and its back ends outlive the reload").isSameAs(before);
        assertThat(pools.get("app").backend("alpha")).isSameAs(alphaBackend);
        assertThat(pools.get("app").algorithm().name()).isEqualTo("least-conn");
        assertThat(client.distribution(web(), 6).keySet()).isSubsetOf("alpha", "bravo");

        write("least-conn", servers(alpha, bravo), "");
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(switchboard.pools()).containsOnlyKeys("app");
    }

    @Test
    void aBrokenFileKeepsTheRunningConfig() throws Exception {
        var running = switchboard.config();
        Files.writeString(file, Files.readString(file).replace("algorithm: round-robin", "algorithm: round-robbin"));
        assertThat(switchboard.reloadFromSource()).isFalse();
        assertThat(switchboard.config()).isSameAs(running);
        assertThat(client.distribution(web(), 4)).containsOnlyKeys("alpha", "bravo");
    }

    @Test
    void aListenerChangeIsRejectedWithTheReason() throws Exception {
        var running = switchboard.config();
        Files.writeString(file, Files.readString(file).replace("listeners:\n", """
                listeners:
                  - name: admin
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                """));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> switchboard.reload(ConfigLoader.load(file).config()));
        assertThat(e.getMessage()).isEqualTo(file + ": listeners: listeners changed (added 'admin' on 127.0.0.1:0);"
                + " listeners are set up when they bind, so restart Switchboard to change them (the running config is kept)");
        assertThat(switchboard.reloadFromSource()).isFalse();
        assertThat(switchboard.config()).isSameAs(running);
        assertThat(client.distribution(web(), 4)).containsOnlyKeys("alpha", "bravo");
    }

    @Test
    void addingAClusterSectionIsRejectedWithTheReason() throws Exception {
        var running = switchboard.config();
        Files.write(dir.resolve("cluster.key"), new byte[32]);
        Files.writeString(file, Files.readString(file) + """
                cluster:
                  node: sb1
                  bind: 127.0.0.1:7800
                  peers: [127.0.0.1:7800]
                  key-file: cluster.key
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> switchboard.reload(ConfigLoader.load(file).config()));
        assertThat(e.getMessage()).isEqualTo(file + ": cluster: the cluster section was added; the cluster is joined"
                + " when Switchboard starts, so restart it to change the cluster section (the running config is kept)");
        assertThat(switchboard.reloadFromSource()).isFalse();
        assertThat(switchboard.config()).isSameAs(running);
        assertThat(client.distribution(web(), 4)).containsOnlyKeys("alpha", "bravo");
    }

    @Test
    void routesChangeWithoutARestartAndTheAdminApiCountsTheirHits() throws Exception {
        String plain = Files.readString(file);
        Files.writeString(file, plain.replace("    default-pool: app\n", """
                    default-pool: app
                    routes:
                      - name: no-admin
                        match: {path-prefix: /admin}
                        deny: true
                """));
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(client.get(web(), "/admin").statusCode()).isEqualTo(403);
        assertThat(client.get(web(), "/%61dmin/x").statusCode()).isEqualTo(403);
        assertThat(client.get(web(), "/public").statusCode()).isEqualTo(200);
        assertThat(new SwitchboardDispatcher(switchboard).routes("web")).extracting(r -> r.name() + "=" + r.hits())
                .containsExactly("no-admin=2", "default=1");

        Files.writeString(file, plain);
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(client.get(web(), "/admin").statusCode()).isEqualTo(200);
        assertThat(new SwitchboardDispatcher(switchboard).routes("web")).isEmpty();
    }

    @Test
    void gracefulShutdownWithNothingInFlightIsClean() {
        assertThat(switchboard.shutdownGracefully()).isTrue();
        assertThat(switchboard.shutdownGracefully()).isTrue();
    }
}
