package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.Cidr;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.SendProxy;
import io.switchboard.config.ServerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener's {@code proxy-protocol} and the pool's {@code send-proxy} in the config file. */
class ProxyProtocolConfigTest {
    private static final String FILE = "switchboard.yaml";
    private static final String POOLS = """
            pools:
              app:
                servers:
                  - name: a
                    address: 127.0.0.1:9001
            """;

    private static LoadedConfig load(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, null);
    }

    private static List<String> errors(String yaml) {
        return ConfigText.errors(() -> load(yaml));
    }

    @Test
    void bothAreOffUnlessConfigured() throws Exception {
        LoadedConfig c = load("listeners:\n  - port: 8080\n    default-pool: app\n" + POOLS);
        assertThat(c.config().listeners().get(0).proxyProtocol()).isNull();
        assertThat(c.config().pools().get("app").sendProxy()).isNull();
    }

    @Test
    void trustedNetworksAndSendProxyAreRead() throws Exception {
        LoadedConfig c = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    proxy-protocol:
                      trusted: [10.0.0.0/8, "2001:db8::/32", 127.0.0.1]
                pools:
                  app:
                    send-proxy: v2
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                """);
        assertThat(c.config().listeners().get(0).proxyProtocol().trusted())
                .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("127.0.0.1"));
        assertThat(c.config().pools().get("app").sendProxy()).isEqualTo(ProxyProtocolVersion.V2);
    }

    @Test
    void mistakesNameFileLineKeyAndWhatIsAllowed() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    proxy-protocol:
                      trusted: []
                  - port: 8081
                    default-pool: app
                    proxy-protocol:
                      trust: [10.0.0.0/8]
                  - port: 8082
                    default-pool: app
                    proxy-protocol:
                      trusted: [10.0.0.1/8]
                pools:
                  app:
                    send-proxy: v3
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                  grpc:
                    protocol: h2
                    send-proxy: v1
                    servers:
                      - name: g
                        address: 127.0.0.1:9002
                """)).containsExactly(
                "switchboard.yaml:5: listeners[0].proxy-protocol.trusted: must list at least one network (the addresses of the"
                        + " proxies in front that send PROXY headers, e.g. [10.0.0.0/8, 127.0.0.1])",
                "switchboard.yaml:8: listeners[1].proxy-protocol.trusted: required key is missing (the addresses of the"
                        + " proxies in front that send PROXY headers, e.g. [10.0.0.0/8, 127.0.0.1])",
                "switchboard.yaml:9: listeners[1].proxy-protocol.trust: unknown key 'trust' (allowed: trusted)",
                "switchboard.yaml:13: listeners[2].proxy-protocol.trusted: must list at least one network (the addresses of the"
                        + " proxies in front that send PROXY headers, e.g. [10.0.0.0/8, 127.0.0.1])",
                "switchboard.yaml:13: listeners[2].proxy-protocol.trusted[0]: '10.0.0.1/8' has host bits set (write 10.0.0.0/8"
                        + " for the network, or 10.0.0.1/32 for the address)",
                "switchboard.yaml:16: pools.app.send-proxy: unknown value 'v3', did you mean 'v1'? (allowed: v1, v2)",
                "switchboard.yaml:22: pools.grpc.send-proxy: needs protocol: http/1.1 (an h2 connection carries the streams of"
                        + " many clients; a PROXY header names one client)");
    }

    @Test
    void aServersOwnSendProxyOverridesThePools() throws Exception {
        LoadedConfig c = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    send-proxy: v2
                    servers:
                      - name: one
                        address: 127.0.0.1:9001
                        send-proxy: v1
                      - name: two
                        address: 127.0.0.1:9002
                      - name: none
                        address: 127.0.0.1:9003
                        send-proxy: "off"
                """);
        PoolConfig app = c.config().pools().get("app");
        assertThat(app.servers()).extracting(ServerConfig::sendProxy).containsExactly(SendProxy.V1, SendProxy.POOL, SendProxy.OFF);
        assertThat(app.servers()).extracting(app::sendProxy).containsExactly(ProxyProtocolVersion.V1, ProxyProtocolVersion.V2, null);
    }

    @Test
    void aServersSendProxyMistakesNameFileLineAndKey() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                        send-proxy: v3
                  grpc:
                    protocol: h2
                    servers:
                      - name: g
                        address: 127.0.0.1:9002
                        send-proxy: v2
                      - name: h
                        address: 127.0.0.1:9003
                        send-proxy: off
                """)).containsExactly(
                "switchboard.yaml:9: pools.app.servers[0].send-proxy: unknown value 'v3', did you mean 'v1'? (allowed: v1, v2, off)",
                "switchboard.yaml:15: pools.grpc.servers[0].send-proxy: needs the pool's protocol: http/1.1 (an h2 connection"
                        + " carries the streams of many clients; a PROXY header names one client)");
    }
}
