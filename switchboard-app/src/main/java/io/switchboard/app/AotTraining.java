package io.switchboard.app;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the build's ahead-of-time cache (JDK 25+, JEP 483/514): the build runs this
 * class once with {@code -XX:AOTCacheOutput}, and the JVM records the classes it loaded and linked;
 * {@code ./switchboard} then starts with {@code -XX:AOTCache} and skips that work (docs/performance.md, "Start-up").
 *
 * <p>It does what a start does, so that is what the cache holds: the command line, a config file
 * checked and loaded, the demo's back ends and dispatcher started with health checks and the admin
 * API, then requests through the data plane (keep-alive, a new connection per request, a body, a
 * malformed request, a layer-4 session), and a stop. The file is read both ways a config is read
 * ({@link YamlTreeReader}: the plain scanner, and SnakeYAML for what it gives up on, here a comment
 * inside a flow mapping): a class the training never loaded is loaded from the jar and verified at
 * every start that needs it. Every step is bounded; a step that fails fails the build, because a
 * cache trained on a broken start would be worse than none.
 *
 * <p>What is left out on purpose, because the JVM loads every class of the cache at every start
 * whether it is used or not: the requests come from {@link AotTrainingClient} in a JVM of its own
 * (its classes, the JDK's TLS client above all, are never used by Switchboard), and no admin API
 * request is made (the JSON mapper, the metrics library and the JVM's management classes, about
 * 1,000 classes, are loaded at the first admin request instead: that request takes about 0.1 s
 * longer, once). The build also records no method profiles ({@code -XX:-AOTRecordTraining} in
 * {@code src/aot/train}): the launcher does not replay them. Together 58 -> 40 MB of cache and
 * 112 -> 95 MB resident after a start (bench/RESULTS.md, session 12).
 *
 * <p>Threading: a single main thread; the dispatcher runs on its own event loops.
 */
public final class AotTraining {
    private static final long CLIENT_SECONDS = 120;

    private AotTraining() {}

    /** {@code args}: a PEM certificate and its key for the TLS listener (src/aot/training-*.pem, made for this only). */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) throw new IllegalArgumentException("usage: AotTraining CERT.pem KEY.pem");
        Demo.Options options = new Demo.Options(0, 3, 0, 0.0, "round-robin", "off", 0, "combined");
        try (Demo demo = Demo.start(options)) {
            requests(demo.address(), null, null);
            // what `switchboard check` and `switchboard run -c FILE` do: a file read, checked and started
            Path config = Files.createTempFile("switchboard-aot-", ".yaml");
            try {
                String text = fileConfig(demo, args[0], args[1]);
                // the same file with a comment inside its layer-4 listener's flow mapping: SnakeYAML reads that one
                Files.writeString(config, text.replace(", client-idle-timeout: 60s}", ", # a comment\n     client-idle-timeout: 60s}"));
                check(config);
                Files.writeString(config, text);
                check(config);
                try (Switchboard sb = Switchboard.start(ConfigLoader.load(config).config())) {
                    requests(sb.boundAddress("plain"), sb.boundAddress("tls"), sb.boundAddress("tcp"));
                    sb.shutdownGracefully(Duration.ZERO);
                }
            } finally {
                Files.deleteIfExists(config);
            }
        }
        System.exit(0);   // the JVM writes the cache at exit
    }

    /** {@link AotTrainingClient} in a JVM of its own (this JVM's, without the cache's recording), through these listeners (null: none). */
    private static void requests(InetSocketAddress plain, InetSocketAddress tls, InetSocketAddress tcp)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process client = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                AotTrainingClient.class.getName(), port(plain), port(tls), port(tcp))
                .inheritIO()
                .start();
        if (!client.waitFor(CLIENT_SECONDS, TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new IllegalStateException("the training's client did not end within " + CLIENT_SECONDS + " s");
        }
        if (client.exitValue() != 0) throw new IllegalStateException("the training's client exited " + client.exitValue() + " (its output is above)");
    }

    private static String port(InetSocketAddress a) {
        return a == null ? "0" : String.valueOf(a.getPort());
    }

    /** What {@code switchboard check -c FILE} does. */
    private static void check(Path config) {
        int checked = Main.commandLine().execute("check", "-c", config.toString());
        if (checked != Main.EXIT_OK) throw new IllegalStateException("switchboard check of the training config exited " + checked);
    }

    private static String fileConfig(Demo demo, String cert, String key) {
        StringBuilder servers = new StringBuilder();
        for (DemoBackend b : demo.backends()) {
            servers.append("      - {name: ").append(b.name()).append(", address: \"127.0.0.1:").append(b.port()).append("\"}\n");
        }
        return """
                listeners:
                  - {name: plain, address: 127.0.0.1, port: 0, default-pool: app}
                  - name: tls
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                    tls:
                      certificates:
                        - {cert: "%s", key: "%s"}
                  - {name: tcp, mode: tcp, address: 127.0.0.1, port: 0, default-pool: app, client-idle-timeout: 60s}
                pools:
                  app:
                    algorithm: round-robin
                    servers:
                %saccess-log: "off"
                """.formatted(cert, key, servers);
    }
}
