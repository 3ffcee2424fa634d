package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import org.junit.jupiter.api.Test;

/** The wiring's pure parts: what a reload may change in place, and how it is described. No sockets. */
class SwitchboardTest {
    private static SwitchboardConfig config(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "switchboard.yaml", null).config();
    }

    private static final String BASE = """
            listeners:
              - name: web
                port: 8080
                default-pool: app
            pools:
              app:
                servers:
                  - {name: a, address: "10.0.0.1:80"}
                  - {name: b, address: "10.0.0.2:80"}
            """;

    @Test
    void aPoolsStartUpLineNamesTenServersAndCountsTheRest() throws Exception {
        assertThat(Switchboard.describe(config(BASE).pools().get("app")))
                .isEqualTo("2 servers (a 10.0.0.1:80, b 10.0.0.2:80), health off, eject after 5 failures");
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < 12; i++) servers.append("      - {name: s").append(i).append(", address: \"10.0.1.").append(i + 1).append(":80\"}\n");
        String twelve = BASE.replace("""
                      - {name: a, address: "10.0.0.1:80"}
                      - {name: b, address: "10.0.0.2:80"}
                """, servers.toString());
        String line = Switchboard.describe(config(twelve).pools().get("app"));
        assertThat(line).startsWith("12 servers (s0 10.0.1.1:80, ").contains("s9 10.0.1.10:80 and 2 more)").doesNotContain("s10 ");
    }

    @Test
    void serverChangesAreDescribed() throws Exception {
        PoolConfig before = config(BASE).pools().get("app");
        PoolConfig after = config(BASE.replace("""
                      - {name: a, address: "10.0.0.1:80"}
                      - {name: b, address: "10.0.0.2:80"}
                """, """
                      - {name: a, address: "10.0.0.1:81", weight: 0, state: drain, tags: [cgi, big]}
                      - {name: c, address: "10.0.0.3:80"}
                """)).pools().get("app");
        assertThat(Switchboard.serverChanges(before, after))
                .isEqualTo("servers added c; removed b; a address 10.0.0.1:80 -> 10.0.0.1:81, weight 1 -> 0, state ready -> drain,"
                        + " tags [] -> [big, cgi]");
        assertThat(Switchboard.serverChanges(before, before)).isNull();
    }

    @Test
    void serverChangesAreDescribedWhenTheOrderChanges() throws Exception {
        String three = BASE.replace("""
                      - {name: b, address: "10.0.0.2:80"}
                """, """
                      - {name: b, address: "10.0.0.2:80"}
                      - {name: c, address: "10.0.0.3:80"}
                """);
        PoolConfig before = config(three).pools().get("app");
        PoolConfig after = config(BASE.replace("""
                      - {name: a, address: "10.0.0.1:80"}
                      - {name: b, address: "10.0.0.2:80"}
                """, """
                      - {name: a, address: "10.0.0.1:80", weight: 2}
                      - {name: d, address: "10.0.0.4:80"}
                      - {name: c, address: "[::1]:80"}
                      - {name: b, address: "10.0.0.2:80"}
                """)).pools().get("app");
        assertThat(Switchboard.serverChanges(before, after))
                .isEqualTo("servers added d; a weight 1 -> 2; c address 10.0.0.3:80 -> [::1]:80");
        assertThat(Switchboard.serverChanges(after, before))
                .isEqualTo("servers removed d; a weight 2 -> 1; c address [::1]:80 -> 10.0.0.3:80");
    }

    @Test
    void listenerChangesAreDescribed() throws Exception {
        SwitchboardConfig before = config(BASE);
        assertThat(Switchboard.listenerChange(before, config(BASE))).isNull();
        assertThat(Switchboard.listenerChange(before, config(BASE.replace("default-pool: app", "default-pool: app\n    header-timeout: 5s"))))
                .isEqualTo("listeners changed (changed 'web' header-timeout 10s -> 5s)");
        assertThat(Switchboard.listenerChange(before, config(BASE.replace("port: 8080", "port: 8081"))))
                .isEqualTo("listeners changed (moved 'web' from 0.0.0.0:8080 to 0.0.0.0:8081)");
        assertThat(Switchboard.listenerChange(before, config(BASE.replace("name: web", "name: www"))))
                .isEqualTo("listeners changed (added 'www' on 0.0.0.0:8080; removed 'web' on 0.0.0.0:8080)");
        assertThat(Switchboard.listenerChange(before, config(BASE.replace("default-pool: app", "default-pool: app\n    routes: [{deny: true}]"))))
                .as("routes are swapped by a reload, the listener stays bound").isNull();
    }

    @Test
    void proxyProtocolSpliceAndValidateAreAppliedByAReload() throws Exception {
        String tcp = BASE.replace("default-pool: app", "default-pool: app\n    mode: tcp");
        SwitchboardConfig before = config(tcp);
        assertThat(Switchboard.listenerChange(before, config(tcp.replace("mode: tcp", "mode: tcp\n    splice: \"off\""))))
                .as("splice").isNull();
        assertThat(Switchboard.listenerChange(before, config(tcp.replace("mode: tcp",
                "mode: tcp\n    validate: line\n    first-words: [PING]")))).as("validate").isNull();
        assertThat(Switchboard.listenerChange(before, config(tcp.replace("mode: tcp",
                "mode: tcp\n    proxy-protocol: {trusted: [127.0.0.1]}")))).as("proxy-protocol").isNull();
        assertThat(Switchboard.listenerChange(config(BASE), config(BASE.replace("default-pool: app",
                "default-pool: app\n    proxy-protocol: {trusted: [127.0.0.1]}")))).as("proxy-protocol, http").isNull();
        assertThat(Switchboard.listenerChange(before, config(BASE)))
                .as("the mode still takes a restart").isEqualTo("listeners changed (changed 'web' mode tcp -> http, client-idle-timeout 1h -> 1m)");
        assertThat(Switchboard.listenerChange(before, config(tcp.replace("mode: tcp", "mode: tcp\n    validate: http\n    client-idle-timeout: 1h"))))
                .as("validate: http is the HTTP front end: a restart").isEqualTo("listeners changed (changed 'web' validate none -> http)");
    }

    @Test
    void onlyAlgorithmAndSettingsForceARebuild() throws Exception {
        PoolConfig base = config(BASE).pools().get("app");
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    retries: 5\n    health: {type: http}\n").pools().get("app")))
                .as("turning active health on changes the pool's settings").isFalse();
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    retries: 5\n    max-body: 1m\n").pools().get("app")))
                .as("retries and limits are read per request from the config").isTrue();
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    algorithm: p2c\n").pools().get("app"))).isFalse();
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    slow-start: 10s\n").pools().get("app"))).isFalse();
        PoolConfig hash = config(BASE + "    algorithm: uri-hash\n").pools().get("app");
        assertThat(PoolRegistry.sameShape(hash, config(BASE + "    algorithm: uri-hash\n    hash-load-factor: 2\n").pools().get("app")))
                .isFalse();
    }

    @Test
    void poolFactoryBuildsWhatTheConfigSays() throws Exception {
        PoolConfig pc = config(BASE + """
                    algorithm: source-hash
                    hash-load-factor: 1.5
                    slow-start: 10s
                    when-all-down: ignore-health
                    health: {type: tcp, rise: 4, fall: 5}
                    passive: {consecutive-failures: 0}
                """).pools().get("app");
        Pool pool = Pool.of(pc);
        assertThat(pool.name()).isEqualTo("app");
        assertThat(pool.algorithm().name()).isEqualTo("source-hash");
        Pool.Settings s = pool.settings();
        assertThat(s.slowStartNanos()).isEqualTo(10_000_000_000L);
        assertThat(s.allDown()).isEqualTo(io.switchboard.config.AllDownPolicy.IGNORE_HEALTH);
        assertThat(s.health()).isEqualTo(new io.switchboard.health.HealthPolicy(4, 5));
        assertThat(s.activeHealth()).isTrue();
        assertThat(s.outliers().enabled()).isFalse();
        assertThat(pool.snapshot().backends().members()).extracting(m -> m.backend().name()).containsExactly("a", "b");
    }
}
