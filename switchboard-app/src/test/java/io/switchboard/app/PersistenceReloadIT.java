package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.persist.StickTable;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session persistence across a reload from the file, as SIGHUP does it: a stick table is kept (and
 * resized) while its key stays the same, and the process's cookie key is kept, so sessions stay put.
 * Three back ends behind round robin: without persistence, consecutive requests never all land on one.
 */
class PersistenceReloadIT {
    @TempDir
    Path dir;

    private final DemoBackend[] backends = new DemoBackend[3];
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path file;
    private Switchboard switchboard;

    @BeforeEach
    void start() throws Exception {
        String[] names = {"alpha", "bravo", "charlie"};
        for (int i = 0; i < 3; i++) backends[i] = new DemoBackend(names[i]).start("127.0.0.1", 0);
        file = dir.resolve("switchboard.yaml");
    }

    @AfterEach
    void stop() {
        client.shutdownNow();
        if (switchboard != null) switchboard.close();
        for (DemoBackend b : backends) if (b != null) b.close();
    }

    private void write(String persistence) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (DemoBackend b : backends) {
            servers.append("      - name: ").append(b.name()).append("\n        address: 127.0.0.1:").append(b.port()).append('\n');
        }
        Files.writeString(file, """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    persistence:
                      %s
                    servers:
                %s
                event-loops: 1
                access-log: off
                shutdown-grace: 1s
                """.formatted(persistence, servers));
    }

    private HttpResponse<String> get(String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + switchboard.boundAddress("web").getPort() + "/"))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Set<String> answers(int n, String... headers) throws Exception {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) out.add(get(headers).body().strip());
        return out;
    }

    @Test
    void aStickTableOutlivesAReloadThatKeepsItsKey() throws Exception {
        write("stick: {on: \"header:X-User\", size: 100}");
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        Set<String> alice = answers(6, "X-User", "alice");
        assertThat(alice).hasSize(1);
        StickTable table = switchboard.proxy().state().persistence().pool("app").table();

        write("stick: {on: \"header:X-User\", size: 50, expire: 10m}");
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(switchboard.proxy().state().persistence().pool("app").table()).isSameAs(table);
        assertThat(table.capacity()).isEqualTo(50);
        assertThat(answers(6, "X-User", "alice")).isEqualTo(alice);

        write("stick: {on: \"header:X-Other\"}");
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(switchboard.proxy().state().persistence().pool("app").table()).isNotSameAs(table);
    }

    @Test
    void anInsertedCookieIsStillHonouredAfterAReload() throws Exception {
        write("cookie: {name: SRV}");
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        HttpResponse<String> first = get();
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        write("cookie: {name: SRV, max-idle: 1h}");
        assertThat(switchboard.reloadFromSource()).isTrue();
        assertThat(answers(6, "Cookie", cookie)).containsExactly(first.body().strip());
    }
}
