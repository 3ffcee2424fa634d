package io.switchboard.proxy.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.concurrent.Future;
import io.switchboard.backend.Backend;
import io.switchboard.proxy.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LoopResolver} against a real name server on 127.0.0.1 whose answers the test changes. */
class HostResolverIT {
    private static final Transport TRANSPORT = Transport.select(System.getProperty("switchboard.transport", "auto"));

    private TestDnsServer dns;
    private EventLoopGroup group;
    private HostResolver resolvers;
    private EventLoop loop;
    private LoopResolver resolver;

    @BeforeEach
    void start() throws Exception {
        dns = new TestDnsServer();
        group = TRANSPORT.newGroup(1, r -> {
            Thread t = new Thread(r, "resolve-test-loop");
            t.setDaemon(true);
            return t;
        });
        resolvers = HostResolver.using(TRANSPORT, List.of(dns.address()));
        loop = group.next();
        resolver = onLoop(() -> resolvers.on(loop));
    }

    @AfterEach
    void stop() {
        resolvers.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        dns.close();
    }

    @Test
    void followsANameWhoseAddressChangesOnceItsTtlPasses() throws Exception {
        dns.answer("app.test", "127.0.0.2", 1);
        assertThat(resolve("app.test")).isEqualTo("127.0.0.2");
        dns.answer("app.test", "127.0.0.3", 1);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> resolve("app.test"), "127.0.0.3"::equals);
    }

    @Test
    void keepsAnAnswerForItsTtlWithoutAskingAgain() throws Exception {
        dns.answer("stable.test", "127.0.0.2", 3600);
        Backend b = new Backend("app", "alpha", "stable.test", 8080);
        assertThat(onLoop(() -> resolver.cached(b))).as("not looked up yet").isNull();
        assertThat(resolve("stable.test")).isEqualTo("127.0.0.2");
        long asked = dns.askedFor("stable.test");
        dns.answer("stable.test", "127.0.0.3", 3600);
        for (int i = 0; i < 5; i++) assertThat(resolve("stable.test")).isEqualTo("127.0.0.2");
        InetSocketAddress first = onLoop(() -> resolver.cached(b));
        assertThat(first).isEqualTo(new InetSocketAddress("127.0.0.2", 8080));
        assertThat(onLoop(() -> resolver.cached(b))).as("made once per answer").isSameAs(first);
        assertThat(dns.askedFor("stable.test")).isEqualTo(asked);
        assertThat(resolver.lookups()).isEqualTo(1);
    }

    @Test
    void nxdomainIsNotKept() throws Exception {
        assertThatThrownBy(() -> resolve("late.test")).hasCauseInstanceOf(UnknownHostException.class);
        dns.answer("late.test", "127.0.0.2", 60);
        assertThat(resolve("late.test")).isEqualTo("127.0.0.2");
    }

    @Test
    void servfailIsNotKept() throws Exception {
        dns.fail("flaky.test", DnsResponseCode.SERVFAIL);
        assertThatThrownBy(() -> resolve("flaky.test")).hasCauseInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> resolve("flaky.test")).as("asked again, failed again").hasCauseInstanceOf(UnknownHostException.class);
        dns.answer("flaky.test", "127.0.0.3", 60);
        assertThat(resolve("flaky.test")).isEqualTo("127.0.0.3");
    }

    @Test
    void ipLiteralsNeverAskTheNameServer() throws Exception {
        Backend v4 = new Backend("app", "alpha", "127.0.0.1", 8080);
        Backend v6 = new Backend("app", "bravo", "::1", 8081);
        InetSocketAddress a = onLoop(() -> resolver.cached(v4));
        assertThat(a).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(onLoop(() -> resolver.cached(v4))).isSameAs(a);
        assertThat(onLoop(() -> resolver.cached(v6))).isEqualTo(new InetSocketAddress("::1", 8081));
        assertThat(resolve("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(dns.asked).isEmpty();
        assertThat(resolver.lookups()).isZero();
    }

    @Test
    void hostsFileStillAnswersLocalhost() throws Exception {
        assertThat(InetAddress.getByName(resolve("localhost")).isLoopbackAddress()).isTrue();
        assertThat(dns.asked).isEmpty();
    }

    /** Resolves on the loop, as a connect does; the address as text. */
    private String resolve(String host) throws Exception {
        Future<InetAddress> f = onLoop(() -> resolver.resolve(host));
        return f.get(10, TimeUnit.SECONDS).getHostAddress();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }
}
