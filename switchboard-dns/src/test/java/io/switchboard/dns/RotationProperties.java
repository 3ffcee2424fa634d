package io.switchboard.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The weighted rotation: over one period every server leads exactly its weight's share, and never in long runs. */
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
        // Smooth: a server's leads are spread; it never leads more than ceil(w / (total - w)) + 1 times in a row.
        for (int i = 0; i < leads.length; i++) {
            int w = weights.get(i);
            int run = 0;
            int maxRun = 0;
            for (int k = 0; k < 2 * total; k++) {
                run = schedule[k % total] == i ? run + 1 : 0;
                maxRun = Math.max(maxRun, run);
            }
            if (w < total) {
                assertThat(maxRun).isLessThanOrEqualTo((w + (total - w) - 1) / (total - w) + 1);
            }
        }
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
