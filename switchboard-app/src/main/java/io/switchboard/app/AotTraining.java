package io.switchboard.app;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The training run of the build's ahead-of-time cache (JDK 25+, JEP 483/514): the build runs this
 * class once with {@code -XX:AOTCacheOutput}, and the JVM records the classes it loaded and linked
 * and the methods it profiled; {@code ./switchboard} then starts with {@code -XX:AOTCache} and skips
 * that work (docs/performance.md, "Start-up").
 *
 * <p>It does what a start does, so that is what the cache holds: the command line, a config file
 * checked and loaded, the demo's back ends and dispatcher started with health checks and the admin
 * API, then requests through the data plane (keep-alive, a new connection per request, a body, a
 * malformed request, a layer-4 session) and the admin API, and a stop. The file is read both ways a
 * config is read ({@link YamlTreeReader}: the plain scanner, and SnakeYAML for what it gives up on,
 * here a flow mapping over two lines): a class the training never loaded is loaded from the jar and
 * verified at every start that needs it. Every step is bounded; a step that fails fails
 * the build, because a cache trained on a broken start would be worse than none.
 *
 * <p>Threading: a single main thread; the dispatcher runs on its own event loops.
 */
public final class AotTraining {
    private static final int KEEP_ALIVE_REQUESTS = 2_000;
    private static final int CLOSE_REQUESTS = 200;

    private AotTraining() {}

    /** {@code args}: a PEM certificate and its key for the TLS listener (src/aot/training-*.pem, made for this only). */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) throw new IllegalArgumentException("usage: AotTraining CERT.pem KEY.pem");
        Demo.Options options = new Demo.Options(0, 3, 0, 0.0, "round-robin", "off", 0, "combined");
        try (Demo demo = Demo.start(options)) {
            exercise(demo.address(), false);
            InetSocketAddress admin = demo.switchboard().admin().boundAddress();
            for (String path : List.of("/api/v1/overview", "/api/v1/pools", "/metrics", "/")) {
                try (Socket s = connect(admin, false)) {
                    expect(s, "GET " + path + " HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + demo.adminToken()
                            + "\r\nConnection: close\r\n\r\n", "HTTP/1.1 200");
                }
            }
            // what `switchboard check` and `switchboard run -c FILE` do: a file read, checked and started
            Path config = Files.createTempFile("switchboard-aot-", ".yaml");
            try {
                String text = fileConfig(demo, args[0], args[1]);
                // the same file with its layer-4 listener's flow mapping over two lines: SnakeYAML reads that one
                Files.writeString(config, text.replace(", client-idle-timeout: 60s}", ",\n     client-idle-timeout: 60s}"));
                check(config);
                Files.writeString(config, text);
                check(config);
                try (Switchboard sb = Switchboard.start(ConfigLoader.load(config).config())) {
                    exercise(sb.boundAddress("plain"), false);
                    exercise(sb.boundAddress("tls"), true);
                    exerciseTcp(sb.boundAddress("tcp"));
                    sb.shutdownGracefully(Duration.ZERO);
                }
            } finally {
                Files.deleteIfExists(config);
            }
        }
        System.exit(0);   // the JVM writes the cache at exit
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

    /** Keep-alive requests, a body, new connections, a malformed request. */
    private static void exercise(InetSocketAddress proxy, boolean tls) throws IOException {
        try (Socket s = connect(proxy, tls)) {
            for (int i = 0; i < KEEP_ALIVE_REQUESTS; i++) {
                expect(s, "GET /item/" + (i % 17) + " HTTP/1.1\r\nHost: demo\r\nUser-Agent: aot\r\n\r\n", "HTTP/1.1 200");
            }
            expect(s, "POST /form HTTP/1.1\r\nHost: demo\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 ");
        }
        for (int i = 0; i < CLOSE_REQUESTS; i++) {
            try (Socket s = connect(proxy, tls)) {
                expect(s, "GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n", "HTTP/1.1 200");
            }
        }
        try (Socket s = connect(proxy, tls)) {
            expect(s, "GET / HTTP/1.1\r\nHost: demo\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400");
        }
    }

    /** Layer 4: requests relayed as bytes, over one session and over a session per request. */
    private static void exerciseTcp(InetSocketAddress proxy) throws IOException {
        try (Socket s = connect(proxy, false)) {
            for (int i = 0; i < CLOSE_REQUESTS; i++) {
                expect(s, "GET /item/" + (i % 17) + " HTTP/1.1\r\nHost: demo\r\n\r\n", "HTTP/1.1 200");
            }
        }
        for (int i = 0; i < CLOSE_REQUESTS / 4; i++) {
            try (Socket s = connect(proxy, false)) {
                expect(s, "GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n", "HTTP/1.1 200");
            }
        }
    }

    private static Socket connect(InetSocketAddress to, boolean tls) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.connect(to, 10_000);
        if (!tls) return s;
        SSLSocket t = (SSLSocket) TRUSTING.getSocketFactory().createSocket(s, "localhost", to.getPort(), true);
        t.startHandshake();
        return t;
    }

    /** The training certificate is self-signed: trust it as the one listener it is for. */
    private static final SSLContext TRUSTING;

    static {
        try {
            TRUSTING = SSLContext.getInstance("TLS");
            TRUSTING.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Sends {@code request} and reads one response (its head and a Content-Length or chunked body, or to the close). */
    private static void expect(Socket s, String request, String statusPrefix) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        String head = readHead(in);
        if (!head.startsWith(statusPrefix)) {
            throw new IllegalStateException("training request '" + request.lines().findFirst().orElse("") + "' got '"
                    + head.lines().findFirst().orElse("") + "', expected " + statusPrefix);
        }
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("\r\ncontent-length:");
        if (at >= 0) {
            int end = lower.indexOf("\r\n", at + 2);
            long length = Long.parseLong(lower.substring(at + 17, end).strip());
            in.skipNBytes(length);
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
            while (true) {
                String size = readLine(in);
                int n = Integer.parseInt(size.split(";")[0].strip(), 16);
                in.skipNBytes(n + 2L);
                if (n == 0) return;
            }
        } else {
            in.readAllBytes();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int n;
        while ((n = head.length()) < 4 || head.charAt(n - 1) != '\n' || !head.substring(n - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed inside a response head: '" + head + "'");
            head.append((char) b);
            if (head.length() > 65_536) throw new IOException("response head over 64 kB");
        }
        return head.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("connection closed inside a chunk size");
            if (b != '\r') line.append((char) b);
        }
        return line.toString();
    }
}
