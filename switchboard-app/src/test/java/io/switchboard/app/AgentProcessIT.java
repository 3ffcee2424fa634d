package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.load.ReportCodec;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard agent} as its own process, measuring this host: its agent-check port answers
 * one well-formed line per connection, and its pushed reports authenticate under the shared key.
 */
class AgentProcessIT {
    static final Pattern READY = Pattern.compile("agent-check on ([0-9.]+):(\\d+)");
    /** An agent-check answer as AgentCheckAnswer writes it (HAProxy 2.6 grammar: words, NN%, maxconn:N, #comment). */
    static final Pattern ANSWER = Pattern.compile("(up|down)( (ready|drain|maint))?( \\d{1,3}%)?( maxconn:\\d+)?( #[^\\n]*)?\\n");

    @TempDir
    Path dir;

    @Test
    void answersAgentChecksAndPushesAuthenticReports() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) key[i] = (byte) (i * 7 + 3);
        Path keyFile = dir.resolve("agent.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        try (DatagramSocket balancer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            balancer.setSoTimeout(15_000);
            try (ChildProcess agent = ChildProcess.java("agent", List.of("-Xmx64m"), Main.class.getName(), "agent",
                    "--name", "web-1", "--interval", "200ms", "--agent-check-address", "127.0.0.1", "--agent-check-port", "0",
                    "--push", "127.0.0.1:" + balancer.getLocalPort(), "--key-file", keyFile.toString(), "--maxconn", "500")) {
                InetSocketAddress checks = checkAddress(agent);
                assertThat(agent.output()).anyMatch(l -> l.contains("key file " + keyFile + " is readable by every user"));

                String line = "";
                for (int i = 0; i < 100 && !line.contains("%"); i++) { // the weight comes with the second measurement
                    line = ask(checks);
                    if (!line.contains("%")) Thread.sleep(100);
                }
                assertThat(line).matches(ANSWER);
                assertThat(line).startsWith("up ").contains(" maxconn:500").doesNotContain("ready"); // no state file
                int weight = Integer.parseInt(line.replaceAll("(?s).* (\\d+)%.*", "$1"));
                assertThat(weight).isBetween(1, 100);

                ReportCodec codec = new ReportCodec(key);
                long previous = Long.MIN_VALUE;
                ReportCodec.Datagram d = null;
                for (int i = 0; i < 3; i++) {
                    DatagramPacket p = new DatagramPacket(new byte[ReportCodec.MAX_SIZE + 1], ReportCodec.MAX_SIZE + 1);
                    balancer.receive(p);
                    d = codec.decode(p.getData(), 0, p.getLength(), System.nanoTime());
                    assertThat(d.sequence()).isGreaterThan(previous);
                    previous = d.sequence();
                }
                assertThat(d.server()).isEqualTo("web-1");
                assertThat(d.report().cpus()).isGreaterThanOrEqualTo(1);
                assertThat(d.report().memAvailable()).isPositive();
                assertThat(d.report().cpuBusy()).isBetween(0.0, 1.0);
                assertThat(d.report().load1()).isNotNegative();
                assertThat(d.report().runnable()).isPositive();
                assertThat(d.report().tcpConnections()).isNotNegative();
                assertThat(d.report().weightPercent()).isBetween(1, 100);
                assertThat(d.report().maxConn()).isEqualTo(500);

                byte[] other = new byte[32];
                DatagramPacket p = new DatagramPacket(new byte[ReportCodec.MAX_SIZE + 1], ReportCodec.MAX_SIZE + 1);
                balancer.receive(p);
                ReportCodec wrongKey = new ReportCodec(other);
                assertThatThrownBy(() -> wrongKey.decode(p.getData(), 0, p.getLength(), 0))
                        .isInstanceOf(ReportCodec.Refusal.class);
            }
        }
    }

    /** The agent-check address from the agent's "ready" line. */
    static InetSocketAddress checkAddress(ChildProcess agent) throws InterruptedException {
        String ready = agent.awaitLine(l -> l.contains(" ready (pid ") && l.contains("agent-check on "), Duration.ofSeconds(60));
        Matcher m = READY.matcher(ready);
        assertThat(m.find()).as(ready).isTrue();
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    /** One agent check: connect, read until the agent closes. */
    static String ask(InetSocketAddress checks) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(checks, 5_000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
