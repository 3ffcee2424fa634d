package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.BackendState;
import io.switchboard.proxy.ProxyFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A back end dies under load: no GET fails, and passive health takes it out. */
class FailoverIT {

    @Test
    void backendKilledMidRunLosesNoGet() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.start();
            f.backends.get(1).setLatencyMillis(20); // requests are in flight on bravo when it dies
            int clients = 8, perClient = 150;
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        try {
                            HttpResponse<String> r = f.client().send(HttpRequest.newBuilder(f.uri("/")).timeout(Duration.ofSeconds(20)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                failed.incrementAndGet();
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            failures.add(e.toString());
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            // Kill bravo once a third of the load has gone through.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (done.get() < clients * perClient / 3 && System.nanoTime() < deadline) Thread.sleep(5);
            f.backends.get(1).close();
            for (Future<?> fu : futures) fu.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(failed.get()).isZero();
            assertThat(done.get()).isEqualTo(clients * perClient);
            assertThat(f.pool.snapshot().backends().member("bravo").state()).isEqualTo(BackendState.DOWN);
            assertThat(f.pool.history()).anySatisfy(t -> assertThat(t.cause()).contains("ejected"));
            // The kill really hit requests: some were redispatched to another back end.
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.retries()).isPositive());
        }
    }
}
