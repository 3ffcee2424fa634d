package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.balance.AffinityKey;
import io.switchboard.balance.Algorithms;
import io.switchboard.proxy.ProxyFixture;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every algorithm, selected by its config name, through the real proxy to real back ends. */
class AlgorithmDistributionIT {

    /** The algorithms that do not keep requests by a key: one path from one client must spread. */
    static java.util.List<String> spreading() {
        return Algorithms.names().stream().filter(n -> Algorithms.byName(n).affinityKey() == AffinityKey.NONE).toList();
    }

    @ParameterizedTest
    @MethodSource("spreading")
    void spreadsRequestsOverAllBackends(String algorithm) throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = algorithm;
            f.start();
            Map<String, Integer> seen = new TreeMap<>();
            for (int i = 0; i < 90; i++) {
                HttpResponse<String> r = f.get("/");
                assertThat(r.statusCode()).isEqualTo(200);
                seen.merge(r.body().trim(), 1, Integer::sum);
            }
            // Sequential requests on an idle farm: every algorithm must use every back end.
            assertThat(seen).as(algorithm + " distribution " + seen).containsOnlyKeys("alpha", "bravo", "charlie");
        }
    }

    @ParameterizedTest
    @MethodSource("io.switchboard.proxy.http.AlgorithmDistributionIT#hashing")
    void uriHashIsStickyPerPathAndSpreadsPaths(String unused) throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = "uri-hash";
            f.start();
            Map<String, String> owner = new TreeMap<>();
            for (int round = 0; round < 3; round++) {
                for (int p = 0; p < 30; p++) {
                    String body = f.get("/item/" + p + "?round=" + round).body().trim();
                    String prev = owner.putIfAbsent("/item/" + p, body);
                    if (prev != null) assertThat(body).as("path /item/" + p).isEqualTo(prev);
                }
            }
            assertThat(new java.util.HashSet<>(owner.values())).containsExactlyInAnyOrder("alpha", "bravo", "charlie");
        }
    }

    static java.util.List<String> hashing() {
        return java.util.List.of("uri-hash");
    }

    @org.junit.jupiter.api.Test
    void sourceHashKeepsOneClientOnOneBackend() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = "source-hash";
            f.start();
            String first = f.get("/").body().trim();
            for (int i = 0; i < 30; i++) assertThat(f.get("/").body().trim()).isEqualTo(first);
        }
    }
}
