package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #3, faults under load: a real {@code switchboard run} reloads its file ten times while 32
 * connections send GETs, each reload adding one back end and removing another; once by SIGHUP, once
 * by saving the file (in place and by rename, as editors do). Not one request fails, the listener
 * never closes (a connection opened before the first reload still works after the last, and no
 * connect is refused), and requests in flight on a removed back end finish there, on the snapshot
 * they started with.
 */
class ReloadUnderLoadIT {
    private static final int RELOADS = 10;
    private static final int CONNECTIONS = 32;
    private static final long CHURN_LATENCY_MILLIS = 100; // requests are in flight on a back end when it is removed

    @TempDir
    Path dir;

    private DemoBackend anchor;
    private final List<DemoBackend> churn = new ArrayList<>();
    private Path file;

    @BeforeEach
    void backEnds() throws Exception {
        anchor = new DemoBackend("anchor").start("127.0.0.1", 0);
        anchor.setLatencyMillis(5);
        for (String n : List.of("c0", "c1", "c2", "c3")) {
            DemoBackend b = new DemoBackend(n).start("127.0.0.1", 0);
            b.setLatencyMillis(CHURN_LATENCY_MILLIS);
            churn.add(b);
        }
        file = dir.resolve("switchboard.yaml");
    }

    @AfterEach
    void stopBackEnds() {
        if (anchor != null) anchor.close();
        churn.forEach(DemoBackend::close);
    }

    @Test
    void tenReloadsBySighupUnderLoad() throws Exception {
        reloadTenTimesUnderLoad(false);
    }

    @Test
    void tenReloadsByFileChangeUnderLoad() throws Exception {
        reloadTenTimesUnderLoad(true);
    }

    private void reloadTenTimesUnderLoad(boolean byFileChange) throws Exception {
        String how = byFileChange ? "file change" : "SIGHUP";
        // Reload i serves anchor, c(i mod 4) and c(i+1 mod 4): each adds one back end and removes another.
        writeConfig(0, byFileChange, false);
        try (ChildProcess sb = ChildProcess.switchboardRun("switchboard", file)) {
            InetSocketAddress web = sb.awaitListening("app", Duration.ofSeconds(30));
            try (Socket pinned = new Socket(web.getAddress(), web.getPort())) {
                InputStream pinnedIn = new BufferedInputStream(pinned.getInputStream());
                assertThat(get(pinned, pinnedIn).status()).isEqualTo(200);

                LoadLoop load = new LoadLoop(web, "/", CONNECTIONS, 25, 100_000, Duration.ofSeconds(90)).start();
                long finishedOnOldSnapshot = 0;
                try {
                    assertThat(load.awaitCompleted(300, Duration.ofSeconds(30))).as("load started: " + load.summary()).isTrue();
                    for (int i = 1; i <= RELOADS; i++) {
                        DemoBackend removed = churn.get((i - 1) % churn.size());
                        DemoBackend added = churn.get((i + 1) % churn.size());
                        long addedBefore = load.answeredBy(added.name());
                        writeConfig(i, byFileChange, i % 2 == 0);
                        if (!byFileChange) sb.signal("HUP");
                        sb.awaitLines(l -> l.contains("Switchboard - reloaded "), i, Duration.ofSeconds(20));
                        long removedAtReload = load.answeredBy(removed.name());
                        // Requests in flight on the removed back end finish within its latency; new ones go elsewhere.
                        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                        while (load.answeredBy(added.name()) == addedBefore && System.nanoTime() < deadline) Thread.sleep(10);
                        Thread.sleep(3 * CHURN_LATENCY_MILLIS);
                        finishedOnOldSnapshot += load.answeredBy(removed.name()) - removedAtReload;
                        assertThat(load.answeredBy(added.name())).as("requests served by %s, added by reload %d", added.name(), i)
                                .isGreaterThan(addedBefore);
                    }
                } finally {
                    load.stop();
                }
                // The connection opened before the first reload is still served after the last one.
                LoadLoop.Response last = get(pinned, pinnedIn);
                long reloads = sb.count(l -> l.contains("Switchboard - reloaded "));
                System.out.printf("ReloadUnderLoadIT (%s): %d reloads; %s; requests that finished on a back end after the"
                        + " reload that removed it: %d; pinned connection after the last reload: %d%n",
                        how, reloads, load.summary(), finishedOnOldSnapshot, last.status());
                load.problems().forEach(p -> System.out.println("  " + p));

                assertThat(load.problems()).as("problems").isEmpty();
                assertThat(load.failures()).as("failed requests").isZero();
                assertThat(load.closedBeforeResponse.get()).as("requests the proxy closed without answering").isZero();
                assertThat(load.refused.get()).as("connects refused: the listener closed").isZero();
                assertThat(last.status()).isEqualTo(200);
                assertThat(reloads).as("one reload per change").isEqualTo(RELOADS);
                assertThat(finishedOnOldSnapshot).as("requests in flight on removed back ends that finished there").isPositive();
                assertThat(sb.output()).noneMatch(l -> l.contains("reload failed") || l.contains("LEAK:") || l.contains(" ERROR "));
            }
        }
    }

    /**
     * The config of reload {@code i}. By file change, every second write replaces the file by a rename
     * as editors do; the others write in place. Without {@code watch}, the file turns the watcher off
     * ({@code watch-config: false}), so that only SIGHUP reloads it.
     */
    private void writeConfig(int i, boolean watch, boolean byRename) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (DemoBackend b : List.of(anchor, churn.get(i % churn.size()), churn.get((i + 1) % churn.size()))) {
            servers.append("      - { name: ").append(b.name()).append(", address: \"127.0.0.1:").append(b.port()).append("\" }\n");
        }
        String yaml = """
                # reload %d
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    algorithm: round-robin
                    servers:
                %sevent-loops: 2
                access-log: off
                admin: { enabled: false }   # tests bind only ephemeral ports
                shutdown-grace: 5s
                %s""".formatted(i, servers, watch ? "" : "watch-config: false\n");
        if (byRename) {
            Path tmp = dir.resolve(".switchboard.yaml.tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.writeString(file, yaml);
        }
    }

    private static LoadLoop.Response get(Socket s, InputStream in) throws Exception {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: switchboard.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        s.setSoTimeout(10_000);
        return LoadLoop.readResponse(in);
    }
}
