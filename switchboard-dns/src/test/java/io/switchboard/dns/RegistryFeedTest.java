package io.switchboard.dns;

import static io.switchboard.dns.DnsFixture.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.PoolRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class RegistryFeedTest {
    private final PoolRegistry registry = new PoolRegistry(Runnable::run, () -> 0L, InstantSource.fixed(Instant.EPOCH));
    private final Authority authority = new Authority(List.of(DnsFixture.exampleZone()), DnsFixture.CLOCK::get);
    private final Responder responder = new Responder(authority);

    private static PoolConfig pool(String name, ServerConfig... servers) {
        return new PoolConfig(name, "round-robin", 1.25, 2, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60), 64,
                Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                new PassiveHealthConfig(3, true, Duration.ofSeconds(10), Duration.ofSeconds(60), 100), 0, List.of(servers));
    }

    private List<String> answer(String name) {
        byte[] q = query(name, Type.A);
        Message m = DnsFixture.parse(responder.answer(q, q.length, InetAddress.getLoopbackAddress(), false));
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            out.add(((ARecord) r).getAddress().getHostAddress());
        }
        return out;
    }

    @Test
    void registryChangesAreInTheNextAnswer() {
        registry.subscribe(new RegistryFeed(authority));
        registry.reload(List.of(pool("web",
                new ServerConfig("a", "10.0.0.1", 80, 1, AdminState.READY),
                new ServerConfig("b", "10.0.0.2", 80, 1, AdminState.READY),
                new ServerConfig("named", "app.internal", 80, 1, AdminState.READY))), Origin.FILE);
        assertThat(answer("www.example.com.")).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        long serial = authority.snapshot().serial("example.com");

        registry.apply("web", Origin.API, List.of(new Change.SetAdmin("b", AdminState.DRAIN, "test")));
        assertThat(answer("www.example.com.")).containsExactly("10.0.0.1");
        assertThat(authority.snapshot().serial("example.com")).isGreaterThan(serial);

        registry.reload(List.of(), Origin.FILE);
        assertThat(answer("www.example.com.")).isEmpty();
    }

    @Test
    void onlyIpLiteralsAreServed() {
        assertThat(RegistryFeed.literal("10.1.2.3")).isNotNull();
        assertThat(RegistryFeed.literal("[2001:db8::1]")).isNotNull();
        assertThat(RegistryFeed.literal("localhost")).isNull();
        assertThat(RegistryFeed.literal("1.2.3")).isNull();
        assertThat(RegistryFeed.literal("999.1.1.1")).isNull();
        assertThat(RegistryFeed.literal("2001:db8::zz")).isNull();
    }
}
