package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link TcpSessionLog}'s status and "how it ended" from what the session said. */
class TcpSessionLogTest {
    @Test
    void howASessionEndedInAFewWordsThenWhy() {
        assertThat(TcpSessionLog.how(null, true, "both sides finished")).isEqualTo("fin: both sides finished");
        assertThat(TcpSessionLog.how(null, true, "server closed")).isEqualTo("server closed");
        assertThat(TcpSessionLog.how(null, true, "client connection broke: java.net.SocketException: Connection reset by peer"))
                .isEqualTo("client reset: client connection broke: java.net.SocketException: Connection reset by peer");
        assertThat(TcpSessionLog.how(null, true, "server connection broke: java.io.IOException: boom"))
                .isEqualTo("server error: server connection broke: java.io.IOException: boom");
        assertThat(TcpSessionLog.how(null, false, "waited 100 ms in the queue of pool 'app': every server at max-connections"))
                .startsWith("queue: waited 100 ms");
        assertThat(TcpSessionLog.how("line: too long", true, "client closed")).isEqualTo("refused by validator: line: too long");
    }

    @Test
    void statusesAreNginxStreams() {
        assertThat(TcpSessionLog.status(null, true, "idle for 5 ms")).isEqualTo(200);
        assertThat(TcpSessionLog.status("tls: not TLS", false, "client closed")).isEqualTo(400);
        assertThat(TcpSessionLog.status(null, false, "refused at accept: 403")).isEqualTo(403);
        assertThat(TcpSessionLog.status(null, false, "all servers tried failed in pool 'app'")).isEqualTo(502);
        assertThat(TcpSessionLog.status(null, false, "queue of class 'default' in pool 'app' full")).isEqualTo(503);
        assertThat(TcpSessionLog.status(null, false, "client closed")).isEqualTo(200);
    }
}
