package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.Cidr;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private static List<Cidr> nets(String... cidrs) {
        return Arrays.stream(cidrs).map(Cidr::parse).toList();
    }

    private static String refusal(AccessPolicy p, String ip) throws Exception {
        return p.refusal(InetAddress.getByName(ip).getAddress());
    }

    @Test
    void noListsServeEveryone() throws Exception {
        AccessPolicy p = new AccessPolicy(List.of(), List.of());
        assertThat(refusal(p, "203.0.113.9")).isNull();
        assertThat(p.refusal(null)).as("not an IP address").isNull();
    }

    @Test
    void anAllowListRefusesEveryoneElse() throws Exception {
        AccessPolicy p = new AccessPolicy(nets("10.0.0.0/8", "2001:db8::/32"), List.of());
        assertThat(refusal(p, "10.20.30.40")).isNull();
        assertThat(refusal(p, "2001:db8:1::5")).isNull();
        assertThat(refusal(p, "11.0.0.1")).isEqualTo("not in the allow list");
        assertThat(refusal(p, "2001:db9::1")).isEqualTo("not in the allow list");
        assertThat(p.refusal(null)).isEqualTo("not in the allow list");
    }

    @Test
    void theMostSpecificNetworkDecidesAndDenyWinsTies() throws Exception {
        AccessPolicy p = new AccessPolicy(nets("10.0.0.0/8", "10.1.2.3"), nets("10.1.0.0/16", "10.9.0.0/16", "10.9.0.0/16"));
        assertThat(refusal(p, "10.5.0.1")).as("allow /8").isNull();
        assertThat(refusal(p, "10.1.9.9")).as("deny /16 beats allow /8").isEqualTo("in deny 10.1.0.0/16");
        assertThat(refusal(p, "10.1.2.3")).as("allow /32 beats deny /16").isNull();
        AccessPolicy tie = new AccessPolicy(nets("10.0.0.0/8"), nets("10.0.0.0/8"));
        assertThat(refusal(tie, "10.0.0.1")).isEqualTo("in deny 10.0.0.0/8");
        AccessPolicy denyOnly = new AccessPolicy(List.of(), nets("192.0.2.0/24"));
        assertThat(refusal(denyOnly, "192.0.2.200")).isEqualTo("in deny 192.0.2.0/24");
        assertThat(refusal(denyOnly, "192.0.3.1")).isNull();
    }
}
