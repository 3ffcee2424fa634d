package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.sim.Distribution;
import io.switchboard.sim.Scenario;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {
    @Test
    void everyShippedScenarioLoads() throws ConfigException {
        for (String name : ScenarioLoader.SHIPPED) {
            String text = ScenarioLoader.shipped(name);
            assertThat(text).as(name).isNotNull();
            Scenario s = ScenarioLoader.parse(text, name + ".yaml");
            assertThat(s.name()).isEqualTo(name);
        }
    }

    @Test
    void readsATrafficScenario() throws ConfigException {
        Scenario s = ScenarioLoader.parse("""
                scenario: t
                algorithms: [p2c, "chain(by-age 3s, by-load)"]
                duration: 10s
                warmup: 1s
                pool: {slow-start: 5s, passive: {consecutive-failures: 3}}
                servers:
                  - group: a
                    count: 3
                    service: 5ms
                  - group: b
                    service: {distribution: lognormal, mean: 10ms, cv: 2}
                clients: {count: 10, think: {distribution: exponential, mean: 100ms}}
                events:
                  - {at: 5s, group: b, action: slow, factor: 4}
                load-reports: {interval: 500ms}
                sweep: {key: load-reports.interval, values: [1s, 5s]}
                """, "t.yaml");
        assertThat(s.algorithms()).containsExactly("p2c", "chain(by-age 3s, by-load)");
        assertThat(s.servers().get(0).service()).isEqualTo(new Distribution.Constant(5_000_000));
        assertThat(s.servers().get(1).service()).isEqualTo(new Distribution.LogNormal(10_000_000, 2));
        assertThat(s.clients().mode()).isEqualTo(Scenario.ClientMode.CLOSED);
        assertThat(s.pool().slowStartNanos()).isEqualTo(5_000_000_000L);
        assertThat(s.pool().consecutiveFailures()).isEqualTo(3);
        assertThat(s.events().get(0).factor()).isEqualTo(4.0);
        assertThat(s.sweep().values()).containsExactly(1.0, 5.0);
    }

    @Test
    void reportsEveryMistakeWithFileLineAndKey() {
        assertThatThrownBy(() -> ScenarioLoader.parse("""
                scenario: bad
                algorithms: [round-robn, p2c]
                servers:
                  - group: a
                    count: 0
                    servce: 5ms
                clients: {rate: 100}
                events:
                  - {at: 5s, group: nope, action: fail}
                """, "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.yaml:2: algorithms[0]: unknown algorithm 'round-robn'")
                .hasMessageContaining("did you mean 'round-robin'?")
                .hasMessageContaining("bad.yaml:5: servers[0].count: ")
                .hasMessageContaining("bad.yaml:6: servers[0].servce: unknown key 'servce', did you mean 'service'?")
                .hasMessageContaining("bad.yaml:9: events[0].group: no server group 'nope'");
    }

    @Test
    void openOrClosedLoopMustBeChosen() {
        assertThatThrownBy(() -> ScenarioLoader.parse("""
                scenario: x
                algorithms: [p2c]
                servers: [{group: a, service: 1ms}]
                clients: {rate: 100, count: 5}
                """, "x.yaml"))
                .hasMessageContaining("x.yaml:4: clients: give either 'rate'");
    }

    @Test
    void readsResolversAndRefusesTheirSweepWithoutThem() throws ConfigException {
        Scenario s = ScenarioLoader.parse("""
                scenario: dns
                algorithms: [round-robin]
                servers: [{group: a, count: 2, service: 1ms}]
                clients: {rate: 10}
                resolvers: {ttl: 30s, records: 2, sizes: [5, 1]}
                sweep: {key: resolvers.ttl, values: [0, 1m]}
                """, "dns.yaml");
        assertThat(s.resolvers()).isEqualTo(new Scenario.Resolvers(30_000_000_000L, 2, List.of(5, 1)));
        assertThat(s.sweep().values()).containsExactly(0.0, 60.0);
        assertThatThrownBy(() -> ScenarioLoader.parse("""
                scenario: dns
                algorithms: [round-robin]
                servers: [{group: a, service: 1ms}]
                clients: {rate: 10}
                sweep: {key: resolvers.records, values: [1, 4]}
                """, "dns.yaml"))
                .hasMessageContaining("dns.yaml:5: sweep.key: sweeps resolvers.records, but the scenario has no 'resolvers:' section");
    }
}
