package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.proxy.DebianPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop: HAProxy 2.6 (Debian {@code haproxy}) with {@code agent-check} pointed at
 * {@code switchboard agent} follows what the agent says. The agent measures a fixture procfs
 * ({@code --proc}) whose CPU counters a writer thread advances at a chosen idle share, so the
 * weight it asks for is known; its state comes from {@code --state-file}. HAProxy's view is read
 * on its admin socket ({@code show stat}).
 * HAProxy is installed when missing ({@link DebianPeer}: skipped with the reason if it cannot be, failed under CI).
 */
class HaproxyAgentCheckIT {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private Thread cpuWriter;
    private final AtomicInteger idlePercent = new AtomicInteger(37);

    @AfterEach
    void stop() throws Exception {
        if (cpuWriter != null) {
            cpuWriter.interrupt();
            cpuWriter.join(5_000);
        }
        for (Process p : started) {
            p.destroy(); // SIGTERM to this process by its PID
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void haproxyTakesTheAgentsWeightAndState() throws Exception {
        Path haproxy = DebianPeer.require("haproxy", "haproxy");
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc);
        writeStat(proc, 0, 0);
        startCpuWriter(proc);
        Path state = dir.resolve("state");

        HttpServer backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        backend.start();
        try (ChildProcess agent = ChildProcess.java("agent", List.of("-Xmx64m"), Main.class.getName(), "agent",
                "--name", "s1", "--interval", "100ms", "--agent-check-address", "127.0.0.1", "--agent-check-port", "0",
                "--proc", proc.toString(), "--state-file", state.toString())) {
            InetSocketAddress checks = AgentProcessIT.checkAddress(agent);
            Path sock = dir.resolve("admin.sock");
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, """
                    global
                        stats socket %s level admin
                    defaults
                        mode http
                        timeout connect 1s
                        timeout client 5s
                        timeout server 5s
                    frontend fe
                        bind 127.0.0.1:%d
                        default_backend be
                    backend be
                        server s1 127.0.0.1:%d weight 100 check inter 500ms agent-check agent-addr 127.0.0.1 agent-port %d agent-inter 500ms
                    """.formatted(sock, freePort(), backend.getAddress().getPort(), checks.getPort()));
            Path log = dir.resolve("haproxy.log");
            started.add(new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start());

            String[] s = awaitServer(sock, log, r -> r[0].equals("UP") && r[1].equals("37"), "UP at weight 37 (63% busy)");
            assertThat(s).containsExactly("UP", "37");

            idlePercent.set(80);
            awaitServer(sock, log, r -> r[0].equals("UP") && r[1].equals("80"), "weight 80 once the host is 20% busy");

            Files.writeString(state, "drain\n");
            awaitServer(sock, log, r -> r[0].startsWith("DRAIN"), "DRAIN after 'drain' in the state file");

            Files.writeString(state, "up\n");
            awaitServer(sock, log, r -> r[0].equals("UP") && r[1].equals("80"), "UP again after 'up' in the state file");

            Files.writeString(state, "maint\n");
            awaitServer(sock, log, r -> r[0].startsWith("MAINT"), "MAINT after 'maint' in the state file");

            Files.delete(state);
            awaitServer(sock, log, r -> r[0].equals("UP"), "UP again once the state file is removed");

            Files.writeString(state, "down\n");
            awaitServer(sock, log, r -> r[0].startsWith("DOWN"), "DOWN after 'down' in the state file");
        } finally {
            backend.stop(0);
        }
    }

    /** Polls {@code show stat} until server s1's {status, weight} matches; bounded. */
    private static String[] awaitServer(Path sock, Path log, Predicate<String[]> match, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String[] last = null;
        String lastStat = "";
        while (System.nanoTime() < deadline) {
            if (Files.exists(sock)) {
                try {
                    lastStat = admin(sock, "show stat\n");
                    last = server(lastStat, "be", "s1");
                    if (last != null && match.test(last)) return last;
                } catch (IOException e) {
                    lastStat = e.toString();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("HAProxy did not show s1 " + what + " within 20 s; last {status, weight}: "
                + (last == null ? "none" : String.join(", ", last)) + "\nshow stat:\n" + lastStat
                + "\nhaproxy log:\n" + (Files.exists(log) ? Files.readString(log) : ""));
    }

    /** {status, weight} of a server in {@code show stat} CSV, by the header's column names. */
    static String[] server(String csv, String proxy, String name) {
        String[] lines = csv.split("\n");
        if (lines.length == 0 || !lines[0].startsWith("# ")) return null;
        List<String> header = List.of(lines[0].substring(2).split(","));
        int status = header.indexOf("status");
        int weight = header.indexOf("weight");
        for (String l : lines) {
            String[] f = l.split(",", -1);
            if (f.length > Math.max(status, weight) && f[0].equals(proxy) && f[1].equals(name)) {
                return new String[] {f[status], f[weight]};
            }
        }
        return null;
    }

    private static String admin(Path sock, String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap(command.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // HAProxy closes after answering one command
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        }
    }

    /** Advances the fixture's CPU counters every 50 ms by 1000 jiffies, {@link #idlePercent} of them idle. */
    private void startCpuWriter(Path proc) {
        cpuWriter = Thread.ofPlatform().daemon().name("fixture-cpu").start(() -> {
            long total = 0;
            long idle = 0;
            try {
                for (int i = 0; i < 20 * 60 * 5; i++) { // at most 5 minutes
                    int idleShare = idlePercent.get();
                    total += 1000;
                    idle += idleShare * 10L;
                    writeStat(proc, total, idle);
                    Thread.sleep(50);
                }
            } catch (InterruptedException | IOException e) {
                // stopped by the test
            }
        });
    }

    /** A /proc/stat whose cpu line has {@code idle} idle jiffies of {@code total}, written whole (rename). */
    private static void writeStat(Path proc, long total, long idle) throws IOException {
        Path tmp = proc.resolve("stat.tmp");
        Files.writeString(tmp, "cpu  " + (total - idle) + " 0 0 " + idle + " 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nprocs_running 1\n");
        Files.move(tmp, proc.resolve("stat"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
