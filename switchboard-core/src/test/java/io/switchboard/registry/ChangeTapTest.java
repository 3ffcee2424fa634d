package io.switchboard.registry;

import static io.switchboard.registry.PoolRegistryTest.pool;
import static io.switchboard.registry.PoolRegistryTest.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.AdminState;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's tap: every successful batch, as applied, with its origin; none for a failed one. */
class ChangeTapTest {
    record Tapped(String pool, Origin origin, List<Change> changes) {}

    final PoolRegistry registry = new PoolRegistry(Runnable::run, () -> 0L, InstantSource.fixed(Instant.EPOCH));
    final List<Tapped> tapped = new ArrayList<>();
    final ChangeTap tap = (p, o, c) -> tapped.add(new Tapped(p, o, List.copyOf(c)));

    @Test
    void hearsPublishedUnpublishedAndLoadOnlyBatchesButNotFailedOnes() {
        registry.reload(List.of(pool("web", server("a", 1), server("b", 1))), Origin.FILE);
        registry.tap(tap);

        registry.apply("web", Origin.API, List.of(new Change.SetAdmin("a", AdminState.DRAIN, null)));
        // changes nothing a reader sees (already drained): still tapped
        registry.apply("web", Origin.PEER, List.of(new Change.SetAdmin("a", AdminState.DRAIN, null)));
        // load figures only: the fast path that publishes nothing
        LoadReport figures = new LoadReport(0, 1, 0.5, 1.0, 2, 1, 10, 3, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, AgentState.NONE);
        registry.apply("web", Origin.AGENT, List.of(new Change.Agent("b", figures)));
        assertThat(registry.pool("web").backend("b").loadReport()).isSameAs(figures);
        assertThatThrownBy(() -> registry.apply("web", Origin.API, List.of(new Change.SetWeight("nope", 3))))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(tapped).containsExactly(
                new Tapped("web", Origin.API, List.of(new Change.SetAdmin("a", AdminState.DRAIN, null))),
                new Tapped("web", Origin.PEER, List.of(new Change.SetAdmin("a", AdminState.DRAIN, null))),
                new Tapped("web", Origin.AGENT, List.of(new Change.Agent("b", figures))));
    }

    @Test
    void oneTapAtATimeAndUntapStopsIt() {
        registry.reload(List.of(pool("web", server("a", 1))), Origin.FILE);
        registry.tap(tap);
        assertThatThrownBy(() -> registry.tap((p, o, c) -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a change tap");
        registry.untap(tap);
        registry.apply("web", Origin.API, List.of(new Change.SetWeight("a", 5)));
        assertThat(tapped).isEmpty();
    }
}
