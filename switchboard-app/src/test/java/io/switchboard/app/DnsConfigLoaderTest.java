package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.DnsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code dns} section: keys, defaults, and problems at the line they concern. */
class DnsConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String HEAD = ConfigText.ONE_SERVER; // the body starts on line 9

    @TempDir
    Path dir;

    private LoadedConfig load(String body) throws ConfigException {
        return ConfigLoader.parse(HEAD + body, FILE, dir.resolve(FILE));
    }

    private List<String> errors(String body) {
        return ConfigText.errors(() -> load(body));
    }

    @Test
    void theDocumentedShapeWithEveryKey() throws Exception {
        DnsConfig d = load("""
                dns:
                  listen: 127.0.0.1:5353
                  max-udp-payload: 1400
                  rate-limit: {responses-per-second: 20, slip: 3}
                  zones:
                    - origin: example.test
                      soa: {mname: ns1.example.test., rname: hostmaster.example.test., ttl: 1h, refresh: 1h, retry: 10m, expire: 7d, minimum: 30s}
                      ns: [ns1.example.test.]
                      pools:
                        - {name: www, pool: app, ttl: 10s, max-records: 4}
                      srv:
                        - {name: _http._tcp.www, pool: app, port: 8080, priority: 5, ttl: 20s}
                      records:
                        - {name: ns1, type: A, value: 127.0.0.1, ttl: 1h}
                        - {name: "@", type: txt, value: "hello"}
                """).config().dns();
        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isEqualTo(5353);
        assertThat(d.maxUdpPayload()).isEqualTo(1400);
        assertThat(d.rateLimit()).isEqualTo(new DnsConfig.RateLimit(20, 3));
        DnsConfig.Zone z = d.zones().get(0);
        assertThat(z.soa().expire()).isEqualTo(Duration.ofDays(7));
        assertThat(z.pools()).containsExactly(new DnsConfig.PoolName("www", "app", Duration.ofSeconds(10), 4));
        assertThat(z.srv()).containsExactly(new DnsConfig.Srv("_http._tcp.www", "app", 8080, 5, Duration.ofSeconds(20)));
        assertThat(z.records()).extracting(DnsConfig.Record::type).containsExactly("A", "TXT");
    }

    @Test
    void defaultsAndNoDnsWithoutTheSection() throws Exception {
        assertThat(load("").config().dns()).isNull();
        DnsConfig d = load("""
                dns:
                  zones:
                    - {origin: example.test, ns: [ns1.example.test.], pools: [{name: www, pool: app}]}
                """).config().dns();
        assertThat(d.host()).isEqualTo("0.0.0.0");
        assertThat(d.port()).isEqualTo(53);
        assertThat(d.maxUdpPayload()).isEqualTo(1232);
        assertThat(d.rateLimit()).isNull();
        assertThat(d.zones().get(0).soa()).isNull();
        assertThat(d.zones().get(0).pools().get(0).ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.zones().get(0).pools().get(0).maxRecords()).isEqualTo(8);
    }

    @Test
    void unknownKeysAndPoolsWithSuggestions() {
        assertThat(errors("""
                dns:
                  listen: 127.0.0.1:5353
                  max-udp-paylod: 1232
                  zones:
                    - origin: example.test
                      ns: [ns1.example.test.]
                      pools:
                        - {name: www, pool: ap}
                """)).containsExactly(
                "switchboard.yaml:11: dns.max-udp-paylod: unknown key 'max-udp-paylod', did you mean 'max-udp-payload'?"
                        + " (allowed: listen, max-udp-payload, rate-limit, zones)",
                "switchboard.yaml:16: dns.zones[0].pools[0].pool: no pool named 'ap', did you mean 'app'? (pools: app)");
    }

    @Test
    void whatTheEngineRefusesIsReportedAtTheZone() {
        List<String> errors = errors("""
                dns:
                  zones:
                    - origin: example.test
                      ns: [ns1.example.test.]
                      records:
                        - {name: www.other.test., type: A, value: 127.0.0.1}
                """);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("switchboard.yaml:11: dns.zones[0]: ").contains("www.other.test");
    }

    @Test
    void badValuesAtTheirLines() {
        assertThat(errors("""
                dns:
                  max-udp-payload: 100
                  zones:
                    - origin: example.test
                      ns: []
                      records:
                        - {name: ns1, type: A, value: 2001:db8::1}
                        - {name: ns2, type: MX, value: x}
                """)).containsExactly(
                "switchboard.yaml:10: dns.max-udp-payload: 100 is out of range (allowed: 512-65535)",
                "switchboard.yaml:13: dns.zones[0].ns: at least one name server is required",
                "switchboard.yaml:15: dns.zones[0].records[0].value: record ns1: '2001:db8::1' is not an IPv4 address"
                        + " (type A takes an address literal such as 192.0.2.1)",
                "switchboard.yaml:16: dns.zones[0].records[1].type: unknown value 'MX' (allowed: a, aaaa, txt)");
        assertThat(errors("dns:\n  listen: 127.0.0.1:5353\n")).containsExactly(
                "switchboard.yaml:9: dns.zones: required key is missing (a list with at least one zone)");
    }

    @Test
    void oddNamesAreProblemsNotCrashes() {
        for (String[] z : new String[][] {{"a..b", "ns1"}, {"example.test", ".."}, {"example.test", "x".repeat(70)},
                {"x".repeat(64) + ".test", "ns1"}, {"example.test", "ns1.other.test."}}) {
            String body = "dns:\n  zones:\n    - {origin: \"" + z[0] + "\", ns: [\"" + z[1] + "\"], pools: [{name: \"" + z[1]
                    + "\", pool: app}]}\n";
            List<String> errors = errors(body);
            assertThat(errors).as(String.join(" / ", z)).isNotEmpty().allSatisfy(e -> assertThat(e).startsWith("switchboard.yaml:11: dns.zones[0]: name "));
        }
    }
}
