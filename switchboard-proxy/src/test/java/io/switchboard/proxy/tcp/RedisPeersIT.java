package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis from Debian as real TCP back ends and redis-cli / redis-benchmark as real clients of a
 * {@code mode: tcp} listener: three redis-server processes on 127.0.0.1 (no persistence), started here
 * and stopped by PID; each server is read directly to prove where the keys went.
 */
class RedisPeersIT {
    private static final String REFUSED = "-ERR command not allowed by the proxy\r\n";
    private final ProxyFixture f = new ProxyFixture();
    private final List<Redis> redis = new ArrayList<>();

    /** One redis-server process of the test. */
    private record Redis(String name, int port, Process process, Path log) {
        void stop() throws InterruptedException, IOException {
            process.destroy(); // SIGTERM to its PID: a clean shutdown (nothing to save)
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    @BeforeEach
    void servers() throws Exception {
        DebianPeer.require("redis-server", "redis-server");
        DebianPeer.require("redis-cli", "redis-tools");
        DebianPeer.require("redis-benchmark", "redis-tools");
        for (String name : List.of("r1", "r2", "r3")) redis.add(startRedis(name));
    }

    @AfterEach
    void close() throws Exception {
        f.close();
        for (Redis r : redis) r.stop();
    }

    private static Redis startRedis(String name) throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = RawServer.closedPort();
            Path log = Files.createTempFile("redis-" + name, ".log");
            Process p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Redis r = new Redis(name, port, p, log);
            for (int i = 0; i < 200 && p.isAlive(); i++) {
                try {
                    if (call(port, "PING").equals("+PONG")) return r;
                } catch (IOException notYet) {
                    Thread.sleep(25);
                }
            }
            r.stop(); // the port was taken meanwhile, or it did not come up: another port
        }
        throw new IllegalStateException("redis-server " + name + " did not start");
    }

    private void start(String algorithm, TcpValidateConfig validate) throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.algorithm = algorithm;
        f.retries = 2;
        f.validate = validate;
        List<ServerConfig> servers = new ArrayList<>();
        for (Redis r : redis) servers.add(new ServerConfig(r.name(), "127.0.0.1", r.port(), 1, null));
        f.start(servers);
    }

    private SessionTable sessions() {
        return f.proxy.state().sessions();
    }

    /** One RESP command on a new connection to {@code port}; the reply's first line (a bulk string: its value). */
    static String call(int port, String... args) throws IOException {
        try (Socket s = TcpClient.open(port)) {
            return call(s, args);
        }
    }

    static String call(Socket s, String... args) throws IOException {
        s.getOutputStream().write(resp(args).getBytes(StandardCharsets.UTF_8));
        InputStream in = s.getInputStream();
        String line = line(in);
        if (line.startsWith("$") && !line.equals("$-1")) {
            int n = Integer.parseInt(line.substring(1));
            String v = new String(in.readNBytes(n), StandardCharsets.UTF_8);
            in.readNBytes(2);
            return v;
        }
        return line;
    }

    private static String resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        return sb.toString();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1 << 16; i++) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed after '" + sb + "'");
            if (c == '\n') break;
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    /** redis-cli through the proxy, one connection for all of {@code commands} (one a line, on its stdin). */
    private DebianPeer.Result cli(String... commands) throws Exception {
        Path in = Files.createTempFile("redis-cli", ".txt");
        Path out = Files.createTempFile("redis-cli", ".out");
        try {
            Files.writeString(in, String.join("\n", commands) + "\n");
            Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(f.port()))
                    .redirectErrorStream(true).redirectInput(in.toFile()).redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new DebianPeer.Result(-1, Files.readString(out) + "\n(killed after 30 s)");
            }
            return new DebianPeer.Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    /** Which of the servers holds {@code key}, read from each directly. */
    private List<String> holders(String key) throws IOException {
        List<String> out = new ArrayList<>();
        for (Redis r : redis) {
            if (r.process().isAlive() && call(r.port(), "EXISTS", key).equals(":1")) out.add(r.name());
        }
        return out;
    }

    @Test
    void redisCliSessionsGoRoundRobinAndEachKeyLandsOnItsSessionsServer() throws Exception {
        start("round-robin", TcpValidateConfig.NONE);
        List<String> where = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            DebianPeer.Result r = cli("SET key" + i + " value" + i, "GET key" + i);
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).isEqualTo("OK\nvalue" + i + "\n");
            List<String> h = holders("key" + i);
            assertThat(h).as("key%d is on exactly one server", i).hasSize(1);
            where.add(h.get(0));
        }
        // One session per redis-cli run, round robin: each server got two of the six.
        assertThat(where).containsExactlyInAnyOrder("r1", "r1", "r2", "r2", "r3", "r3");
        assertThat(where.subList(0, 3)).doesNotHaveDuplicates();
        TcpClient.await(() -> sessions().size() == 0, "the redis-cli sessions left the binding table");
    }

    @Test
    void anOpenSessionIsInTheBindingTableWithItsServerAndBytes() throws Exception {
        start("source-hash", TcpValidateConfig.NONE);
        try (Socket s = TcpClient.open(f.port())) {
            assertThat(call(s, "SET", "bound", "yes")).isEqualTo("+OK");
            SessionTable.Page page = sessions().page("web", null, 0, 10);
            assertThat(page.total()).isEqualTo(1);
            SessionTable.Session e = page.sessions().get(0);
            assertThat(e.client()).isEqualTo("127.0.0.1:" + s.getLocalPort());
            assertThat(e.pool()).isEqualTo("app");
            assertThat(holders("bound")).containsExactly(e.server());
            assertThat(e.bytesUp()).isEqualTo(resp("SET", "bound", "yes").length());
            assertThat(e.bytesDown()).isEqualTo("+OK\r\n".length());
            assertThat(sessions().page("web", e.server(), 0, 10).total()).isEqualTo(1);
        }
        TcpClient.await(() -> sessions().size() == 0, "the session left the binding table");
        // Source hash: the next session from this address goes to the same server (once the first is gone:
        // with it open, the hash's bounded load would send the second elsewhere).
        DebianPeer.Result r = cli("GET bound");
        assertThat(r.output()).isEqualTo("yes\n");
    }

    @Test
    void aPipelinedRedisBenchmarkCompletesWithoutAnError() throws Exception {
        start("round-robin", TcpValidateConfig.NONE);
        DebianPeer.Result r = DebianPeer.run(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", String.valueOf(f.port()),
                "-t", "set,get", "-n", "2000", "-P", "16", "-c", "4", "-q"), 120);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SET: ").contains("GET: ").contains("requests per second")
                .doesNotContainIgnoringCase("error");
        assertThat(holders("key:__rand_int__")).isNotEmpty();
        assertThat(sessions().totals()).anySatisfy(t -> assertThat(t.sessionsOpened()).isGreaterThanOrEqualTo(8));
    }

    @Test
    void aKilledServersSessionEndsAndNewSessionsGoToTheOthers() throws Exception {
        start("round-robin", TcpValidateConfig.NONE);
        String bound;
        try (Socket s = TcpClient.open(f.port())) {
            assertThat(call(s, "SET", "doomed", "1")).isEqualTo("+OK");
            bound = sessions().page("web", null, 0, 10).sessions().get(0).server();
            Redis victim = redis.stream().filter(r -> r.name().equals(bound)).findFirst().orElseThrow();
            victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // The server's end reached the client: its session is over.
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            for (int i = 0; i < 6; i++) {
                DebianPeer.Result r = cli("SET after" + i + " x");
                assertThat(r.output()).as("session %d after the kill", i).isEqualTo("OK\n");
                assertThat(holders("after" + i)).hasSize(1).doesNotContain(bound);
            }
        }
        // Half-closed by the server's end; gone once the client closed too.
        TcpClient.await(() -> sessions().page("web", bound, 0, 10).total() == 0, "the dead server's session left the table");
    }

    @Test
    void theRespValidatorLetsRedisClientsThroughAndRefusesAForbiddenCommandWithRedissError() throws Exception {
        // redis-cli asks COMMAND DOCS when it starts, redis-benchmark CONFIG GET: both must be allowed.
        start("round-robin", TcpValidateConfig.resp(4096, List.of("PING", "GET", "SET", "CONFIG", "COMMAND", "QUIT"), REFUSED));
        DebianPeer.Result ok = cli("SET v 1", "GET v", "PING");
        assertThat(ok.output()).isEqualTo("OK\n1\nPONG\n");
        // redis-benchmark speaks pipelined RESP (and CONFIG GET at start): all of it passes.
        DebianPeer.Result bench = DebianPeer.run(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", String.valueOf(f.port()),
                "-t", "set,get", "-n", "2000", "-P", "16", "-c", "3", "-q"), 120);
        assertThat(bench.exit()).as(bench.output()).isZero();
        assertThat(bench.output()).contains("SET: ").contains("GET: ").doesNotContainIgnoringCase("error");
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isZero();

        DebianPeer.Result refused = cli("FLUSHALL");
        assertThat(refused.output()).contains("ERR command not allowed by the proxy");
        try (Socket s = TcpClient.open(f.port())) {
            s.getOutputStream().write((resp("GET", "v") + resp("FLUSHALL")).getBytes(StandardCharsets.US_ASCII));
            String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // The allowed GET went on and was answered; then Redis's own error line, then the close.
            // (the GET's answer may be cut off by the close: the session ends at once).
            assertThat(got).isIn("$1\r\n1\r\n" + REFUSED, REFUSED);
        }
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isEqualTo(2);
        // FLUSHALL reached no server: the key is still there.
        assertThat(holders("v")).hasSize(1);
    }
}
