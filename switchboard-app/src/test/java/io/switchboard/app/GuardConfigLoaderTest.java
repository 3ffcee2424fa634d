package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.ListenerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener keys of issue #3 (strict parsing limits, connection limits, rate limit, allow/deny), in ConfigLoaderTest's style. */
class GuardConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String POOLS = """
            pools:
              app:
                servers:
                  - { name: a, address: 127.0.0.1:9001 }
            """;

    private static LoadedConfig load(String listener) throws ConfigException {
        return ConfigLoader.parse("listeners:\n  - port: 8080\n    default-pool: app\n" + listener + POOLS, FILE, null);
    }

    private static List<String> errors(String listener) {
        return ConfigText.errors(() -> load(listener));
    }

    private static List<String> warnings(String listener) throws ConfigException {
        return ConfigText.warnings(load(listener));
    }

    private static ListenerConfig listener(String yaml) throws ConfigException {
        return load(yaml).config().listeners().get(0);
    }

    @Test
    void defaultsAreOneHundredHeaderFieldsAndNoGuards() throws Exception {
        ListenerConfig l = listener("");
        assertThat(l.maxHeaders()).isEqualTo(100);
        assertThat(l.guard()).isEqualTo(GuardConfig.NONE);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        ListenerConfig l = listener("""
                    max-headers: 50
                    max-connections: 10000
                    max-connections-per-ip: 64
                    rate-limit:
                      requests-per-second: 2.5
                      burst: 20
                    allow: [10.0.0.0/8, "2001:db8::/32", 192.168.1.7]
                    deny:
                      - 10.66.0.0/16
                """);
        assertThat(l.maxHeaders()).isEqualTo(50);
        assertThat(l.guard()).isEqualTo(new GuardConfig(10000, 64, 2.5, 20,
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("192.168.1.7/32")),
                List.of(Cidr.parse("10.66.0.0/16"))));
    }

    @Test
    void burstDefaultsToOneSecondOfRequests() throws Exception {
        assertThat(listener("    rate-limit: { requests-per-second: 7.2 }\n").guard().burst()).isEqualTo(8);
        assertThat(listener("    rate-limit: { requests-per-second: 0.2 }\n").guard().burst()).isEqualTo(1);
    }

    @Test
    void limitsOutOfRange() {
        assertThat(errors("""
                    max-headers: 0
                    max-connections: -1
                    max-connections-per-ip: lots
                """)).containsExactly(
                "switchboard.yaml:4: listeners[0].max-headers: 0 is out of range (allowed: 1-10000)",
                "switchboard.yaml:5: listeners[0].max-connections: -1 is out of range (allowed: 0-10000000)",
                "switchboard.yaml:6: listeners[0].max-connections-per-ip: 'lots' is not a whole number (allowed: 0-10000000)");
    }

    @Test
    void rateLimitMistakes() {
        assertThat(errors("""
                    rate-limit:
                      requests-per-seconds: 10
                """)).containsExactly(
                "switchboard.yaml:5: listeners[0].rate-limit.requests-per-seconds: unknown key 'requests-per-seconds',"
                        + " did you mean 'requests-per-second'? (allowed: requests-per-second, burst)",
                "switchboard.yaml:5: listeners[0].rate-limit.requests-per-second: required key is missing"
                        + " (requests per second per client, e.g. 10 or 0.5)");
        assertThat(errors("    rate-limit: { requests-per-second: fast, burst: 0 }\n")).containsExactly(
                "switchboard.yaml:4: listeners[0].rate-limit.requests-per-second: 'fast' is not a number"
                        + " (allowed: more than 0 up to 1000000, e.g. 10 or 0.5)",
                "switchboard.yaml:4: listeners[0].rate-limit.burst: 0 is out of range (allowed: 1-1000000)");
        assertThat(errors("    rate-limit: { requests-per-second: 0 }\n")).containsExactly(
                "switchboard.yaml:4: listeners[0].rate-limit.requests-per-second: 0 is out of range (allowed: more than 0 up to 1000000)");
        assertThat(errors("    rate-limit: 10\n")).containsExactly(
                "switchboard.yaml:4: listeners[0].rate-limit: expected a mapping of requests-per-second, burst; found a value");
        assertThat(errors("    rate-limit:\n")).containsExactly(
                "switchboard.yaml:4: listeners[0].rate-limit.requests-per-second: required key is missing"
                        + " (requests per second per client, e.g. 10 or 0.5)");
    }

    @Test
    void networksAreCheckedOneByOne() {
        assertThat(errors("""
                    allow:
                      - 10.0.0.1/8
                      - example.com
                      - 10.0.0.0/33
                      - [1, 2]
                    deny: 10.0.0.0/8
                """)).containsExactly(
                "switchboard.yaml:5: listeners[0].allow[0]: '10.0.0.1/8' has host bits set (write 10.0.0.0/8 for the network,"
                        + " or 10.0.0.1/32 for the address)",
                "switchboard.yaml:6: listeners[0].allow[1]: 'example.com' is not an IP address or network (write e.g. 10.0.0.0/8,"
                        + " 192.168.1.5 or 2001:db8::/32; host names are not allowed)",
                "switchboard.yaml:7: listeners[0].allow[2]: '10.0.0.0/33': prefix length 33 is out of range for IPv4 (allowed: 0-32)",
                "switchboard.yaml:8: listeners[0].allow[3]: expected an address or network (e.g. 10.0.0.0/8 or 2001:db8::/32);"
                        + " found a list",
                "switchboard.yaml:9: listeners[0].deny: expected a list (lines starting with '- '); found a value");
    }

    @Test
    void doubtfulButUsableSettingsAreWarnedAbout() throws Exception {
        assertThat(warnings("""
                    max-connections: 100
                    max-connections-per-ip: 200
                    allow: [10.0.0.0/8, 10.0.0.0/8]
                    deny: [10.0.0.0/8]
                """)).containsExactly(
                "switchboard.yaml:5: warning: listeners[0].max-connections-per-ip: max-connections-per-ip 200 is more than"
                        + " max-connections 100, so it never applies",
                "switchboard.yaml:6: warning: listeners[0].allow[1]: 10.0.0.0/8 is listed twice (first at line 6)",
                "switchboard.yaml:7: warning: listeners[0].deny: 10.0.0.0/8 is in both allow and deny; deny wins");
    }
}
