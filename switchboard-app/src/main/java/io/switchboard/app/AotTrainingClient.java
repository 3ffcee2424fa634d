package io.switchboard.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The client side of the AOT cache's training ({@link AotTraining}): requests through the listeners
 * the training started, in a JVM of its own, so that the cache holds what a start of Switchboard
 * loads and not the classes of this client (the JDK's TLS client alone is about 440 classes, which
 * every start would load from the cache and never use).
 *
 * <p>Arguments: the ports of a plain HTTP, a TLS and a layer-4 listener, 0 for one that is not there.
 * Exits 0 when every request got the answer expected; an exception (exit 1) fails the training.
 * Every read and connect is bounded (10 s).
 */
public final class AotTrainingClient {
    private static final int KEEP_ALIVE_REQUESTS = 2_000;
    private static final int CLOSE_REQUESTS = 200;

    private AotTrainingClient() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) throw new IllegalArgumentException("usage: AotTrainingClient PLAIN-PORT TLS-PORT TCP-PORT (0: none)");
        int plain = Integer.parseInt(args[0]), tls = Integer.parseInt(args[1]), tcp = Integer.parseInt(args[2]);
        if (plain > 0) exercise(local(plain), false);
        if (tls > 0) exercise(local(tls), true);
        if (tcp > 0) exerciseTcp(local(tcp));
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
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
