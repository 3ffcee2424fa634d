package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.proxy.probe.NoLeaksExtension;
import io.switchboard.registry.Transition;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #3, faults under load: a back end that takes connections and never answers, and one that
 * answers bytes that are not HTTP, each beside two good ones while 8 clients send GETs. Only the
 * requests that were already sent to the broken back end fail (504 and 502, each logged with that
 * back end, each started before the ejection); passive health ejects it after three failures in a
 * row, and every request after that succeeds. Passive health only: an active TCP probe would find the silent back end healthy.
 */
@ExtendWith(NoLeaksExtension.class)
class BrokenBackendUnderLoadIT {
    private static final int CLIENTS = 8;
    private static final int PER_CLIENT = 60;
    private static final int THRESHOLD = 3;

    @Test
    void silentBackEndFailsOnlyWhatWasSentToItWith504AndIsEjected() throws Exception {
        try (RawServer silent = RawServer.silent(); ProxyFixture f = new ProxyFixture().backends("alpha", "bravo")) {
            f.responseTimeout = Duration.ofMillis(800);
            Map<Integer, Long> statuses = runWithBrokenBackEnd(f, "silent", silent.port());

            List<AccessRecord> failed = f.accessLog.stream().filter(a -> a.status() != 200).toList();
            List<AccessRecord> sentToSilent = f.accessLog.stream().filter(a -> a.backend().equals("app/silent")).toList();
            System.out.printf("BrokenBackendUnderLoadIT silent: %d GETs on %d clients, statuses %s, %d sent to the silent back end"
                    + " (each waits the 800 ms response timeout); silent: %s%n", f.accessLog.size(), CLIENTS, statuses,
                    sentToSilent.size(), f.pool.snapshot().backends().member("silent"));
            failed.forEach(a -> System.out.println("  " + a.format()));

            assertThat(failed).as("failed requests: all 504, all from the silent back end").isNotEmpty()
                    .allSatisfy(a -> {
                        assertThat(a.status()).isEqualTo(504);
                        assertThat(a.backend()).isEqualTo("app/silent");
                        assertThat(a.cause()).contains("sent no response within 800 ms");
                    });
            assertThat(sentToSilent).as("every request sent to the silent back end, and only those, got 504")
                    .hasSameSizeAs(failed);
            assertEjected(f, "silent", failed);
        }
    }

    @Test
    void backEndAnsweringGarbageGets502AndIsEjected() throws Exception {
        byte[] garbage = "SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001\u0002 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (RawServer babbler = RawServer.answering(s -> {
                RawServer.readHead(s);
                OutputStream out = s.getOutputStream();
                out.write(garbage);
                out.flush();
            }); ProxyFixture f = new ProxyFixture().backends("alpha", "bravo")) {
            Map<Integer, Long> statuses = runWithBrokenBackEnd(f, "babbler", babbler.port());

            List<AccessRecord> failed = f.accessLog.stream().filter(a -> a.status() != 200).toList();
            System.out.printf("BrokenBackendUnderLoadIT garbage: %d GETs on %d clients, statuses %s, connections to the"
                    + " babbler %d; babbler: %s%n", f.accessLog.size(), CLIENTS, statuses, babbler.accepted(),
                    f.pool.snapshot().backends().member("babbler"));
            failed.forEach(a -> System.out.println("  " + a.format()));

            assertThat(failed).as("failed requests: all 502, all from the babbler").isNotEmpty()
                    .allSatisfy(a -> {
                        assertThat(a.status()).isEqualTo(502);
                        assertThat(a.backend()).isEqualTo("app/babbler");
                        assertThat(a.cause()).startsWith("bad response from babbler");
                    });
            assertThat(f.accessLog.stream().filter(a -> a.backend().equals("app/babbler")))
                    .as("every request sent to the babbler got 502").hasSameSizeAs(failed);
            assertEjected(f, "babbler", failed);
        }
    }

    /**
     * The broken back end is out, ejected by passive health, and every failed request had been sent to
     * it before that: it started no later than the ejection (to the millisecond of the wall clock).
     */
    private static void assertEjected(ProxyFixture f, String name, List<AccessRecord> failed) {
        Member m = f.pool.snapshot().backends().member(name);
        assertThat(m.state()).isEqualTo(BackendState.DOWN);
        assertThat(m.cause()).contains("ejected").contains(THRESHOLD + " consecutive failures");
        Transition ejection = f.pool.history().stream()
                .filter(t -> t.backend().equals(name) && t.to() == BackendState.DOWN).findFirst().orElseThrow();
        assertThat(failed).as("failed requests started before %s was ejected", name)
                .allSatisfy(a -> assertThat(a.epochMillis() - a.durationMicros() / 1000).isLessThanOrEqualTo(ejection.epochMillis() + 1));
    }

    /**
     * Starts the proxy over the fixture's two good back ends and the broken one, sends
     * {@value #CLIENTS} x {@value #PER_CLIENT} GETs, then checks that once the broken back end is out,
     * a further round of GETs all succeed. Returns the statuses of the first round.
     */
    private static Map<Integer, Long> runWithBrokenBackEnd(ProxyFixture f, String name, int port) throws Exception {
        f.passive = new PassiveHealthConfig(THRESHOLD, true, Duration.ofSeconds(60), Duration.ofSeconds(60));
        f.retries = 2;
        List<ServerConfig> servers = new ArrayList<>();
        for (DemoBackend b : f.backends) servers.add(f.server(b, 1));
        servers.add(new ServerConfig(name, "127.0.0.1", port, 1, null));
        f.start(servers);

        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            HttpRequest get = HttpRequest.newBuilder(f.uri("/")).timeout(Duration.ofSeconds(20)).GET().build();
            for (int c = 0; c < CLIENTS; c++) {
                futures.add(clients.submit(() -> {
                    for (int i = 0; i < PER_CLIENT; i++) {
                        statuses.add(f.client().send(get, HttpResponse.BodyHandlers.discarding()).statusCode());
                    }
                    return null;
                }));
            }
            for (Future<?> fu : futures) fu.get(60, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
        }
        Map<Integer, Long> counts = new TreeMap<>();
        for (int s : statuses) counts.merge(s, 1L, Long::sum);
        assertThat(statuses).hasSize(CLIENTS * PER_CLIENT);

        int logged = f.accessLog.size();
        for (int i = 0; i < 30; i++) assertThat(f.get("/").statusCode()).as("after the ejection").isEqualTo(200);
        assertThat(f.accessLog.subList(logged, f.accessLog.size())).noneMatch(a -> a.backend().equals("app/" + name));
        return counts;
    }
}
