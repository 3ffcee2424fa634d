package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;

/** A plain socket client for the TCP listener tests, and the checks they share. Bounded in time. */
final class TcpClient {
    private TcpClient() {}

    /** A connection to the listener on 127.0.0.1:{@code port}, reads bounded at 20 s. */
    static Socket open(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Sends {@code text} and reads back as many bytes. */
    static String roundTrip(Socket s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(b.length), StandardCharsets.US_ASCII);
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Bounded wait (10 s) for a condition the proxy reaches on its own loops. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(25);
        }
        fail("still not: " + what);
    }
}
