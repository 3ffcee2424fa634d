package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import org.junit.jupiter.api.Test;

/** How the log words a config: a pool's start-up line, and what a reload changes (and so refuses). No sockets. */
class ConfigLogTest {
    static SwitchboardConfig config(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "switchboard.yaml", null).config();
    }

    /** One HTTP listener and one pool of two servers (SwitchboardTest starts from it too). */
    static final String BASE = """
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
        assertThat(ConfigLog.describe(config(BASE).pools().get("app")))
                .isEqualTo("2 servers (a 10.0.0.1:80, b 10.0.0.2:80), health off, eject after 5 failures");
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < 12; i++) servers.append("      - {name: s").append(i).append(", address: \"10.0.1.").append(i + 1).append(":80\"}\n");
        String twelve = BASE.replace("""
                      - {name: a, address: "10.0.0.1:80"}
                      - {name: b, address: "10.0.0.2:80"}
                """, servers.toString());
        String line = ConfigLog.describe(config(twelve).pools().get("app"));
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
        assertThat(ConfigLog.serverChanges(before, after))
                .isEqualTo("servers added c; removed b; a address 10.0.0.1:80 -> 10.0.0.1:81, weight 1 -> 0, state ready -> drain,"
                        + " tags [] -> [big, cgi]");
        assertThat(ConfigLog.serverChanges(before, before)).isNull();
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
        assertThat(ConfigLog.serverChanges(before, after))
                .isEqualTo("servers added d; a weight 1 -> 2; c address 10.0.0.3:80 -> [::1]:80");
        assertThat(ConfigLog.serverChanges(after, before))
                .isEqualTo("servers removed d; a weight 2 -> 1; c address [::1]:80 -> 10.0.0.3:80");
    }

    @Test
    void listenerChangesAreDescribed() throws Exception {
        SwitchboardConfig before = config(BASE);
        assertThat(ConfigLog.listenerChange(before, config(BASE))).isNull();
        assertThat(ConfigLog.listenerChange(before, config(BASE.replace("default-pool: app", "default-pool: app\n    header-timeout: 5s"))))
                .isEqualTo("listeners changed (changed 'web' header-timeout 10s -> 5s)");
        assertThat(ConfigLog.listenerChange(before, config(BASE.replace("port: 8080", "port: 8081"))))
                .isEqualTo("listeners changed (moved 'web' from 0.0.0.0:8080 to 0.0.0.0:8081)");
        assertThat(ConfigLog.listenerChange(before, config(BASE.replace("name: web", "name: www"))))
                .isEqualTo("listeners changed (added 'www' on 0.0.0.0:8080; removed 'web' on 0.0.0.0:8080)");
        assertThat(ConfigLog.listenerChange(before, config(BASE.replace("default-pool: app", "default-pool: app\n    routes: [{deny: true}]"))))
                .as("routes are swapped by a reload, the listener stays bound").isNull();
    }

    @Test
    void proxyProtocolSpliceAndValidateAreAppliedByAReload() throws Exception {
        String tcp = BASE.replace("default-pool: app", "default-pool: app\n    mode: tcp");
        SwitchboardConfig before = config(tcp);
        assertThat(ConfigLog.listenerChange(before, config(tcp.replace("mode: tcp", "mode: tcp\n    splice: \"off\""))))
                .as("splice").isNull();
        assertThat(ConfigLog.listenerChange(before, config(tcp.replace("mode: tcp",
                "mode: tcp\n    validate: line\n    first-words: [PING]")))).as("validate").isNull();
        assertThat(ConfigLog.listenerChange(before, config(tcp.replace("mode: tcp",
                "mode: tcp\n    proxy-protocol: {trusted: [127.0.0.1]}")))).as("proxy-protocol").isNull();
        assertThat(ConfigLog.listenerChange(config(BASE), config(BASE.replace("default-pool: app",
                "default-pool: app\n    proxy-protocol: {trusted: [127.0.0.1]}")))).as("proxy-protocol, http").isNull();
        assertThat(ConfigLog.listenerChange(before, config(BASE)))
                .as("the mode still takes a restart").isEqualTo("listeners changed (changed 'web' mode tcp -> http, client-idle-timeout 1h -> 1m)");
        assertThat(ConfigLog.listenerChange(before, config(tcp.replace("mode: tcp", "mode: tcp\n    validate: http\n    client-idle-timeout: 1h"))))
                .as("validate: http is the HTTP front end: a restart").isEqualTo("listeners changed (changed 'web' validate none -> http)");
    }
}
