package io.switchboard.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool's writer applying agent reports: state, weight percentage, maxconn, and the fast path for load figures. */
class PoolAgentTest {
    static final long SECOND = 1_000_000_000L;
    static final Instant WALL = Instant.parse("2026-11-22T12:00:00Z");

    final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    final List<Transition> heard = new ArrayList<>();
    final List<Pool.Snapshot> published = new ArrayList<>();

    Pool pool(boolean activeHealth, ServerConfig... servers) {
        Pool.Settings settings = new Pool.Settings(0, AllDownPolicy.FAIL, new HealthPolicy(2, 3), activeHealth,
                new OutlierDetector(3, 10 * SECOND, 80 * SECOND));
        Pool pool = new Pool("web", Algorithms.byName("round-robin"), settings, clock::get, InstantSource.fixed(WALL));
        pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(List.of(servers))));
        pool.addListener((p, snapshot, transitions) -> {
            published.add(snapshot);
            heard.addAll(transitions);
        });
        return pool;
    }

    Pool pool(ServerConfig... servers) {
        return pool(false, servers);
    }

    static ServerConfig server(String name, int weight, int maxConnections) {
        return new ServerConfig(name, "10.0.0." + (name.charAt(0) - 'a' + 1), 8080, weight, AdminState.READY,
                maxConnections, Set.of());
    }

    static ServerConfig server(String name) {
        return server(name, 10, 0);
    }

    LoadReport report(AgentState state, int weightPercent, int maxConn, double cpuBusy) {
        return new LoadReport(clock.get(), 1, cpuBusy, Double.NaN, 4, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, weightPercent, maxConn, state);
    }

    LoadReport figures(double cpuBusy) {
        return report(AgentState.NONE, LoadReport.UNKNOWN, LoadReport.UNKNOWN, cpuBusy);
    }

    void agent(Pool pool, String name, LoadReport r) {
        pool.apply(Origin.AGENT, new Change.Agent(name, r));
    }

    static Member member(Pool pool, String name) {
        return pool.snapshot().backends().member(name);
    }

    @Test
    void agentDownTakesTheServerOutAndUpGivesItBackWithOriginAgent() {
        Pool pool = pool(server("a"), server("b"));
        agent(pool, "a", report(AgentState.DOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.DOWN);
        assertThat(pool.snapshot().backends().eligibleList()).extracting(b -> b.name()).containsExactly("b");
        assertThat(heard).last().hasToString("web/a up -> down (agent: down)");
        assertThat(heard.get(heard.size() - 1).origin()).isEqualTo(Origin.AGENT);

        agent(pool, "a", report(AgentState.NONE, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).as("NONE leaves the agent's state").isEqualTo(BackendState.DOWN);

        agent(pool, "a", report(AgentState.UP, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.UP);
        assertThat(heard).last().hasToString("web/a down -> up (agent: up)");
    }

    @Test
    void agentDrainAndMaintAreKeptApartFromTheOperatorsState() {
        Pool pool = pool(server("a"));
        agent(pool, "a", report(AgentState.DRAIN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.DRAIN);
        assertThat(member(pool, "a").admin()).as("the operator's state is untouched").isEqualTo(AdminState.READY);

        pool.apply(new Change.SetAdmin("a", AdminState.MAINT, null));
        agent(pool, "a", report(AgentState.READY, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).as("the agent cannot lift the operator's maint").isEqualTo(BackendState.MAINT);

        pool.apply(new Change.SetAdmin("a", AdminState.READY, null));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.UP);

        agent(pool, "a", report(AgentState.MAINT, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.MAINT);
    }

    @Test
    void anAgentCannotMakeAServerFailingItsChecksEligible() {
        Pool pool = pool(true, server("a"), server("b"));
        for (int i = 0; i < 3; i++) pool.apply(new Change.Probe("a", false, "connect refused"));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.DOWN);
        agent(pool, "a", report(AgentState.DOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        agent(pool, "a", report(AgentState.UP, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.DOWN);
        assertThat(member(pool, "a").cause()).startsWith("probe failed");

        agent(pool, "a", report(AgentState.DOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        pool.apply(new Change.Probe("a", true, "HTTP 200"));
        pool.apply(new Change.Probe("a", true, "HTTP 200"));
        assertThat(member(pool, "a").state()).as("healthy again, but the agent still says down").isEqualTo(BackendState.DOWN);
    }

    @Test
    void weightPercentScalesTheConfiguredWeightAndUnknownLeavesIt() {
        Pool pool = pool(server("a", 10, 0), server("b", 1, 0));
        agent(pool, "a", report(AgentState.NONE, 50, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").weight()).as("configured").isEqualTo(10);
        assertThat(member(pool, "a").effectiveWeight()).isEqualTo(5);
        assertThat(heard).last().hasToString("web/a up -> up (agent weight 100% -> 50% (weight 10 -> 5))");

        agent(pool, "a", report(AgentState.NONE, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").effectiveWeight()).isEqualTo(5);

        agent(pool, "b", report(AgentState.NONE, 50, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "b").effectiveWeight()).as("1 x 50% still serves").isEqualTo(1);

        agent(pool, "a", report(AgentState.NONE, 0, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").eligible()).as("0% takes no new requests").isFalse();
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.UP);

        pool.apply(new Change.Reconcile(List.of(server("a", 20, 0), server("b", 1, 0))));
        agent(pool, "a", report(AgentState.NONE, 150, LoadReport.UNKNOWN, 0.1));
        assertThat(member(pool, "a").effectiveWeight()).as("the percentage applies to the reloaded weight").isEqualTo(30);
    }

    @Test
    void maxConnReplacesTheConfiguredLimitAndUnknownRestoresIt() {
        Pool pool = pool(server("a", 10, 100));
        agent(pool, "a", report(AgentState.NONE, LoadReport.UNKNOWN, 5, 0.1));
        assertThat(pool.backend("a").maxConnections()).isEqualTo(5);
        assertThat(heard).last().hasToString("web/a up -> up (agent maxconn 100 -> 5)");

        pool.apply(new Change.Reconcile(List.of(server("a", 10, 200))));
        assertThat(pool.backend("a").maxConnections()).as("a reload keeps the agent's limit").isEqualTo(5);

        agent(pool, "a", report(AgentState.NONE, LoadReport.UNKNOWN, LoadReport.UNKNOWN, 0.1));
        assertThat(pool.backend("a").maxConnections()).isEqualTo(200);
        assertThat(heard).last().hasToString("web/a up -> up (agent maxconn 5 -> 200 (configured))");
    }

    @Test
    void reportsWithOnlyLoadFiguresAreStoredWithoutPublishing() {
        Pool pool = pool(server("a"), server("b"));
        Pool.Snapshot before = pool.snapshot();
        pool.backend("a").addCost(7);
        LoadReport r = figures(0.4);
        agent(pool, "a", r);
        assertThat(pool.backend("a").loadReport()).isSameAs(r);
        assertThat(pool.backend("a").costSinceReport()).as("the report includes what was dispatched before it").isZero();
        assertThat(pool.snapshot()).as("no new picker").isSameAs(before);
        assertThat(published).isEmpty();
        assertThat(heard).isEmpty();

        agent(pool, "a", report(AgentState.UP, 100, LoadReport.UNKNOWN, 0.5));
        assertThat(pool.snapshot()).as("asking for what is already so changes nothing either").isSameAs(before);
        assertThat(published).isEmpty();
        assertThat(pool.backend("a").loadReport().cpuBusy()).isEqualTo(0.5);
    }

    @Test
    void aBatchOfReportsMixedWithOtherChangesIsAppliedInOrder() {
        Pool pool = pool(server("a"), server("b"));
        LoadReport r = figures(0.2);
        pool.applyAll(Origin.AGENT, List.of(new Change.Agent("a", r), new Change.SetWeight("b", 3)));
        assertThat(pool.backend("a").loadReport()).isSameAs(r);
        assertThat(member(pool, "b").weight()).isEqualTo(3);
    }

    @Test
    void aSilentAgentIsNoDataNeverDown() {
        Pool pool = pool(server("a"));
        agent(pool, "a", figures(0.9));
        clock.addAndGet(3_600 * SECOND);
        pool.apply(new Change.Tick());
        assertThat(member(pool, "a").state()).isEqualTo(BackendState.UP);
    }
}
