package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.admin.Dispatcher;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.config.AdminState;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pool of 10,000 servers as a user would run it: the file loads, a reload that changes one server
 * applies (timed in parts: YAML read, checks, apply; and end to end as SIGHUP does it), and the admin
 * API's weight change and drain apply. The times are printed, not asserted (issue #20's goal is under
 * 50 ms for a reload and an admin change; bench/jmh PoolChangeBenchmark measures the pool's part);
 * {@code -Dlargepool.rounds=N} runs more rounds, for a warmer JVM. The servers are never contacted:
 * no health checks, no requests.
 */
class LargePoolIT {
    static final int SERVERS = 10_000;
    private static final String TOKEN = "large-pool-token-0123456789";

    @TempDir
    Path dir;

    private Switchboard switchboard;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        if (switchboard != null) switchboard.close();
    }

    private static String config(String algorithm, int changedWeight) {
        StringBuilder sb = new StringBuilder("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    algorithm: %s
                    servers:
                """.formatted(algorithm));
        for (int i = 0; i < SERVERS; i++) {
            int weight = i == SERVERS / 2 ? changedWeight : 1 + i % 4;
            // 127.1.0.0/16: loopback, never contacted
            sb.append("      - { name: s").append(i).append(", address: 127.1.").append(i / 250).append('.').append(i % 250 + 1)
                    .append(":8080, weight: ").append(weight).append(" }\n");
        }
        sb.append("""
                access-log: off
                watch-config: false
                admin:
                  address: 127.0.0.1
                  port: 0
                  token: %s
                """.formatted(TOKEN));
        return sb.toString();
    }

    private HttpResponse<String> patch(String server, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(switchboard.admin().url().replaceAll("/$", "") + "/api/v1/pools/app/backends/" + server))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    /** Milliseconds the JVM's collectors have spent so far (their pauses stop the threads timed here). */
    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) sum += Math.max(0, gc.getCollectionTime());
        return sum;
    }

    /** Of the rounds after the first two. */
    private static double median(double[] byRound) {
        double[] warm = Arrays.copyOfRange(byRound, 2, byRound.length);
        Arrays.sort(warm);
        int n = warm.length;
        return n % 2 == 1 ? warm[n / 2] : (warm[n / 2 - 1] + warm[n / 2]) / 2;
    }

    private Member member(String name) {
        Pool pool = switchboard.registry().pools().get("app");
        return pool.snapshot().backends().member(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "least-conn", "source-hash"})
    void tenThousandServersLoadReloadAndTakeAdminChanges(String algorithm) throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        String changed = "s" + SERVERS / 2;
        Files.writeString(file, config(algorithm, 1));

        long t0 = System.nanoTime();
        LoadedConfig loaded = ConfigLoader.load(file);
        double load = millisSince(t0);
        t0 = System.nanoTime();
        switchboard = Switchboard.start(loaded.config());
        double start = millisSince(t0);
        assertThat(switchboard.registry().pools().get("app").snapshot().backends().size()).isEqualTo(SERVERS);

        System.out.printf("%s, %,d servers: load %.1f ms, start %.1f ms%n", algorithm, SERVERS, load, start);
        // several rounds: the first ones run cold (interpreted code, a new HTTP connection)
        int rounds = Integer.getInteger("largepool.rounds", 5);
        double[][] times = new double[7][rounds]; // parse, check, apply, sighup, weight, drain, pool; by round
        for (int round = 1; round <= rounds; round++) {
            // a reload taken apart: the YAML read, the checks that make the config, the apply
            int w = 1 + round; // differs from the previous round's
            Files.writeString(file, config(algorithm, w));
            t0 = System.nanoTime();
            String text = Files.readString(file);
            Problems problems = new Problems(file.toString());
            YamlNode tree = YamlTreeReader.read(text, problems);
            double parse = millisSince(t0);
            t0 = System.nanoTime();
            LoadedConfig next = ConfigLoader.check(tree, problems, file, ConfigLoader.Purpose.RUN);
            double check = millisSince(t0);
            t0 = System.nanoTime();
            switchboard.reload(next.config());
            double apply = millisSince(t0);
            assertThat(member(changed).weight()).isEqualTo(w);

            // the same as SIGHUP, the file watcher and the admin API's reload do it, end to end
            int w2 = 100 + round;
            Files.writeString(file, config(algorithm, w2));
            long gc0 = gcMillis();
            t0 = System.nanoTime();
            Dispatcher.ReloadOutcome outcome = switchboard.reloadFromSource("LargePoolIT");
            double sighup = millisSince(t0);
            long sighupGc = gcMillis() - gc0;
            assertThat(outcome.applied()).as(String.valueOf(outcome.errors())).isTrue();
            assertThat(member(changed).weight()).isEqualTo(w2);

            t0 = System.nanoTime();
            HttpResponse<String> weight = patch(changed, "{\"weight\":" + (10 + round) + "}");
            double weightChange = millisSince(t0);
            assertThat(weight.statusCode()).as(weight.body()).isEqualTo(200);
            assertThat(weight.body()).contains("\"weight\":" + (10 + round));
            assertThat(member(changed).weight()).isEqualTo(10 + round);

            t0 = System.nanoTime();
            HttpResponse<String> drain = patch(changed, "{\"state\":\"drain\"}");
            double drainChange = millisSince(t0);
            assertThat(drain.statusCode()).as(drain.body()).isEqualTo(200);
            assertThat(member(changed).state()).isEqualTo(BackendState.DRAIN);
            assertThat(switchboard.registry().pools().get("app").snapshot().backends().size()).isEqualTo(SERVERS - 1);

            // the pool's part of an admin change, without the HTTP round trip and the JSON
            t0 = System.nanoTime();
            switchboard.registry().apply("app", Origin.API, List.of(new Change.SetAdmin(changed, AdminState.READY, "LargePoolIT")));
            double poolApply = millisSince(t0);
            assertThat(member(changed).state()).isNotEqualTo(BackendState.DRAIN);
            assertThat(switchboard.registry().pools().get("app").snapshot().backends().size()).isEqualTo(SERVERS);

            System.out.printf("%s, %,d servers, round %d: reload with one weight changed: parse %.1f + check %.1f + apply %.1f"
                    + " = %.1f ms; as SIGHUP does it (read, check, apply, log): %.1f ms (garbage collection in it: %d ms);"
                    + " admin API (HTTP round trip included): weight %.1f ms, drain %.1f ms; the pool's part of a state change:"
                    + " %.1f ms%n", algorithm, SERVERS, round, parse, check, apply, parse + check + apply, sighup, sighupGc,
                    weightChange, drainChange, poolApply);
            double[] these = {parse, check, apply, sighup, weightChange, drainChange, poolApply};
            for (int k = 0; k < these.length; k++) times[k][round - 1] = these[k];
        }
        if (rounds >= 3) {
            // the first two rounds run cold
            System.out.printf("%s, %,d servers, median of rounds 3-%d: parse %.1f + check %.1f + apply %.1f ms; as SIGHUP"
                    + " does it %.1f ms; admin API weight %.1f ms, drain %.1f ms; the pool's part %.1f ms%n", algorithm, SERVERS,
                    rounds, median(times[0]), median(times[1]), median(times[2]), median(times[3]), median(times[4]),
                    median(times[5]), median(times[6]));
        }
    }
}
