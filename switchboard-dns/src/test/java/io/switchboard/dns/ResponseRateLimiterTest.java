package io.switchboard.dns;

import static io.switchboard.dns.DnsFixture.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.dns.ResponseRateLimiter.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseRateLimiterTest {
    private long now = 5_000_000_000L;

    private List<Verdict> burst(ResponseRateLimiter r, long net, long answer, int n) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.check(net, answer));
        }
        return out;
    }

    @Test
    void allowsTheRateThenDropsWithEveryNthSlipped() {
        ResponseRateLimiter r = new ResponseRateLimiter(3, 2, 1024, () -> now);
        assertThat(burst(r, 1, 7, 8)).containsExactly(Verdict.SEND, Verdict.SEND, Verdict.SEND,
                Verdict.DROP, Verdict.SLIP, Verdict.DROP, Verdict.SLIP, Verdict.DROP);
    }

    @Test
    void slipZeroNeverSlipsAndSlipOneAlwaysDoes() {
        ResponseRateLimiter never = new ResponseRateLimiter(1, 0, 64, () -> now);
        assertThat(burst(never, 1, 1, 5)).containsExactly(Verdict.SEND, Verdict.DROP, Verdict.DROP, Verdict.DROP, Verdict.DROP);
        ResponseRateLimiter always = new ResponseRateLimiter(1, 1, 64, () -> now);
        assertThat(burst(always, 1, 1, 3)).containsExactly(Verdict.SEND, Verdict.SLIP, Verdict.SLIP);
    }

    @Test
    void tokensComeBackAtTheRateAndNeverBeyondOneSecondsWorth() {
        ResponseRateLimiter r = new ResponseRateLimiter(10, 0, 1024, () -> now);
        assertThat(burst(r, 1, 1, 10)).containsOnly(Verdict.SEND);
        assertThat(r.check(1, 1)).isEqualTo(Verdict.DROP);
        now += 100_000_000L; // 0.1 s: one token
        assertThat(burst(r, 1, 1, 2)).containsExactly(Verdict.SEND, Verdict.DROP);
        now += 60_000_000_000L; // a minute idle: still only one second's worth
        assertThat(burst(r, 1, 1, 11)).containsExactly(Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND,
                Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.DROP);
    }

    @Test
    void bucketsArePerNetworkAndPerAnswer() {
        ResponseRateLimiter r = new ResponseRateLimiter(1, 0, 4096, () -> now);
        assertThat(r.check(1, 1)).isEqualTo(Verdict.SEND);
        assertThat(r.check(1, 1)).isEqualTo(Verdict.DROP);
        assertThat(r.check(1, 2)).isEqualTo(Verdict.SEND);
        assertThat(r.check(2, 1)).isEqualTo(Verdict.SEND);
    }

    @Test
    void networksAreSlash24AndSlash56() {
        assertThat(ResponseRateLimiter.networkKey(ip("192.0.2.1"))).isEqualTo(ResponseRateLimiter.networkKey(ip("192.0.2.254")));
        assertThat(ResponseRateLimiter.networkKey(ip("192.0.2.1"))).isNotEqualTo(ResponseRateLimiter.networkKey(ip("192.0.3.1")));
        assertThat(ResponseRateLimiter.networkKey(ip("2001:db8:0:1200::1")))
                .isEqualTo(ResponseRateLimiter.networkKey(ip("2001:db8:0:12ff:ffff::9")));
        assertThat(ResponseRateLimiter.networkKey(ip("2001:db8:0:1200::1")))
                .isNotEqualTo(ResponseRateLimiter.networkKey(ip("2001:db8:0:1300::1")));
        assertThat(ResponseRateLimiter.networkKey(ip("0.0.0.1"))).isNotEqualTo(ResponseRateLimiter.networkKey(ip("::1")));
    }

    @Test
    void memoryIsBoundedByTheTable() {
        ResponseRateLimiter r = new ResponseRateLimiter(1, 0, 64, () -> now);
        // Many more pairs than slots: the table does not grow and every fresh pair gets an answer.
        for (long net = 0; net < 10_000; net++) {
            assertThat(r.check(net, 1)).isEqualTo(Verdict.SEND);
        }
    }

    @Test
    void refusesNonsenseSettings() {
        assertThatThrownBy(() -> new ResponseRateLimiter(0, 2, 64, () -> now)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new ResponseRateLimiter(5, -1, 64, () -> now)).hasMessageContaining("slip");
    }
}
