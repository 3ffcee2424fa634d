package io.switchboard.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.config.RetryOn;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AttemptsTest {
    private final AtomicInteger active = new AtomicInteger(100);
    private final RetryBudget budget = new RetryBudget(20, 3, active::get); // Envoy's figures, to test the arithmetic
    private final Backend a = new Backend("web", "a", "10.0.0.1", 80);
    private final Backend b = new Backend("web", "b", "10.0.0.2", 80);
    private final Backend c = new Backend("web", "c", "10.0.0.3", 80);

    @Test
    void aRequestThatKillsTwoBackEndsIsTheSuspectAndTheSecondIsNotCharged() {
        Attempts t = new Attempts(5, budget);
        t.begin();
        Outcome first = t.closedBeforeResponse(a, false);
        assertThat(first).isEqualTo(Outcome.CLOSED_BEFORE_RESPONSE);
        assertThat(first.failure()).isTrue();
        assertThat(t.mayRetry(first, true)).isTrue();
        t.begin();
        Outcome second = t.closedBeforeResponse(b, false);
        assertThat(second).isEqualTo(Outcome.SUSPECT_REQUEST);
        assertThat(second.charge()).isEqualTo(Outcome.Charge.NONE);
        assertThat(t.mayRetry(second, true)).as("the suspect is not sent to a third back end").isFalse();
        assertThat(t.excluded()).containsExactlyInAnyOrder(a, b);
        assertThat(t.firstCharged()).as("whose charge is taken back").isSameAs(a);
    }

    @Test
    void connectFailuresDoNotMakeTheRequestSuspect() {
        Attempts t = new Attempts(5, budget);
        t.begin();
        assertThat(t.mayRetry(t.connectFailed(a), true)).isTrue();
        t.begin();
        assertThat(t.mayRetry(t.connectFailed(b), true)).isTrue();
        t.begin();
        assertThat(t.closedBeforeResponse(c, false)).isEqualTo(Outcome.CLOSED_BEFORE_RESPONSE);
    }

    @Test
    void retriesAreBoundedByThePoolsRetries() {
        Attempts t = new Attempts(1, budget);
        t.begin();
        assertThat(t.mayRetry(t.connectFailed(a), true)).isTrue();
        t.begin();
        assertThat(t.mayRetry(t.connectFailed(b), true)).isFalse();
        assertThat(t.retried()).isEqualTo(1);
    }

    @Test
    void aStaleKeepAliveConnectionIsReplayedFreeAndChargesNobody() {
        Attempts t = new Attempts(0, budget);
        t.begin();
        Outcome o = t.closedBeforeResponse(a, true);
        assertThat(o).isEqualTo(Outcome.STALE_CONNECTION);
        assertThat(o.charge()).isEqualTo(Outcome.Charge.NONE);
        assertThat(t.mayRetry(o, true)).as("no retry used up, no token").isTrue();
        assertThat(budget.active()).isZero();
        assertThat(t.excluded()).isEmpty();
        t.begin();
        assertThat(t.retried()).isZero();
    }

    @Test
    void aRequestWhoseBodyWentOutIsNeverReplayed() {
        Attempts t = new Attempts(5, budget);
        t.begin();
        assertThat(t.mayRetry(t.closedBeforeResponse(a, false), false)).isFalse();
        assertThat(t.mayRetry(t.closedBeforeResponse(b, true), false)).isFalse();
    }

    @Test
    void retriesTakeBudgetTokensAndGiveThemBackWhenTheRequestEnds() {
        active.set(10); // 20 % of 10 = 2, so the minimum of 3 applies
        Attempts[] ts = new Attempts[4];
        for (int i = 0; i < 4; i++) {
            ts[i] = new Attempts(5, budget);
            ts[i].begin();
        }
        assertThat(ts[0].mayRetry(ts[0].closedBeforeResponse(a, false), true)).isTrue();
        assertThat(ts[1].mayRetry(ts[1].closedBeforeResponse(a, false), true)).isTrue();
        assertThat(ts[2].mayRetry(ts[2].closedBeforeResponse(a, false), true)).isTrue();
        assertThat(ts[3].mayRetry(ts[3].connectFailed(a), true)).as("a refused connect takes no token").isTrue();
        assertThat(ts[3].mayRetry(ts[3].closedBeforeResponse(b, false), true)).as("budget spent").isFalse();
        assertThat(budget.active()).isEqualTo(3);
        ts[0].finish();
        ts[0].finish();
        assertThat(budget.active()).isEqualTo(2);
        Attempts late = new Attempts(5, budget);
        late.begin();
        assertThat(late.mayRetry(late.closedBeforeResponse(c, false), true)).isTrue();
    }

    @Test
    void theBudgetGrowsWithActiveRequests() {
        active.set(1000);
        assertThat(budget.limit()).isEqualTo(200);
        active.set(0);
        assertThat(budget.limit()).isEqualTo(3);
    }

    @Test
    void theDefaultRetryOnIsConnectFailuresAndEmptyResponsesOnly() {
        Attempts t = new Attempts(5, budget);
        t.begin();
        assertThat(t.retriesOn(503)).isFalse();
        assertThat(t.mayRetry(t.responseTimedOut(a), true)).as("a response timeout is answered 504").isFalse();
        assertThat(t.mayRetry(t.connectFailed(b), true)).isTrue();
        t.begin();
        assertThat(t.mayRetry(t.closedBeforeResponse(c, false), true)).isTrue();
    }

    @Test
    void listedStatusesAreRetriedOnAnotherBackEnd() {
        Attempts t = new Attempts(5, EnumSet.of(RetryOn.STATUS_503, RetryOn.STATUS_504), budget);
        t.begin();
        assertThat(t.retriesOn(503)).isTrue();
        assertThat(t.retriesOn(504)).isTrue();
        assertThat(t.retriesOn(502)).isFalse();
        assertThat(t.retriesOn(500)).isFalse();
        Outcome o = t.failedWithStatus(a, 503);
        assertThat(o).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(o.failure()).as("charged to the back end").isTrue();
        assertThat(t.mayRetry(o, true)).isTrue();
        assertThat(t.excluded()).containsExactly(a);
        assertThat(budget.active()).as("a retry after the request reached a back end takes a token").isEqualTo(1);
        t.begin();
        assertThat(t.mayRetry(t.failedWithStatus(b, 503), false)).as("not replayable (POST, or a body went out)").isFalse();
    }

    @Test
    void aStatusOrTimeoutRetryIsBoundedByRetries() {
        Attempts t = new Attempts(1, EnumSet.of(RetryOn.STATUS_502, RetryOn.RESPONSE_TIMEOUT), budget);
        t.begin();
        assertThat(t.mayRetry(t.responseTimedOut(a), true)).isTrue();
        t.begin();
        assertThat(t.mayRetry(t.failedWithStatus(b, 502), true)).isFalse();
    }

    @Test
    void aListWithoutConnFailureOrEmptyResponseRetriesNeither() {
        Attempts t = new Attempts(5, Set.of(RetryOn.STATUS_503), budget);
        t.begin();
        assertThat(t.mayRetry(t.connectFailed(a), true)).isFalse();
        assertThat(t.mayRetry(t.closedBeforeResponse(b, false), true)).isFalse();
        assertThat(t.mayRetry(t.closedBeforeResponse(c, true), true)).as("a stale connection is still replayed").isTrue();
    }
}
