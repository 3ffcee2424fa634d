package io.switchboard.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The weighted rotation: over one period every server leads exactly its weight's share, spread out as nginx spreads it. */
class RotationProperties {
    @Property(tries = 300)
    void eachServerLeadsExactlyWeightTimesPerPeriod(@ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 20) Integer> weights) {
        List<DnsServer> servers = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            servers.add(DnsFixture.server("s" + i, "10.0.0." + (i + 1), weights.get(i), true));
        }
        int[] schedule = ZoneSnapshot.schedule(servers);
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        assertThat(schedule).hasSize(total);
        int[] leads = new int[weights.size()];
        for (int s : schedule) {
            leads[s]++;
        }
        for (int i = 0; i < leads.length; i++) {
            assertThat(leads[i]).as("server %d of weight %d", i, weights.get(i)).isEqualTo(weights.get(i));
        }
    }

    @Example
    void spreadsTheHeavyServerAsNginxDoes() {
        // nginx's smooth weighted round robin comment: weights { 5, 1, 1 } give { a, a, b, a, c, a, a }.
        List<DnsServer> servers = List.of(DnsFixture.server("a", "10.0.0.1", 5, true),
                DnsFixture.server("b", "10.0.0.2", 1, true), DnsFixture.server("c", "10.0.0.3", 1, true));
        assertThat(ZoneSnapshot.schedule(servers)).containsExactly(0, 0, 1, 0, 2, 0, 0);
    }

    @Property(tries = 50)
    void hugeWeightsAreScaledButEveryServerStillLeads(@ForAll @Size(min = 2, max = 50) List<@IntRange(min = 1, max = 65535) Integer> weights) {
        List<DnsServer> servers = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            servers.add(DnsFixture.server("s" + i, "10.0.0." + (i + 1), weights.get(i), true));
        }
        int[] schedule = ZoneSnapshot.schedule(servers);
        assertThat(schedule.length).isLessThanOrEqualTo(ZoneSnapshot.MAX_SCHEDULE + weights.size());
        assertThat(Arrays.stream(schedule).distinct().count()).isEqualTo(weights.size());
    }
}
