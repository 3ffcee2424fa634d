package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentCheckServerTest {
    @Test
    void eachConnectionGetsTheCurrentLineThenEndOfStream() throws Exception {
        try (AgentCheckServer server = AgentCheckServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "up\n")) {
            assertThat(ask(server, null)).isEqualTo("up\n");
            server.answer("up drain 40%\n");
            assertThat(ask(server, "backend/s1\n")).as("with an agent-send text").isEqualTo("up drain 40%\n");
        }
    }

    @Test
    void silentClientsThatNeverCloseDoNotStallOtherChecks() throws Exception {
        try (AgentCheckServer server = AgentCheckServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "up 50%\n")) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < AgentCheckServer.MAX_OPEN + 20; i++) {
                    Socket s = new Socket();
                    s.connect(server.address(), 5_000);
                    idle.add(s); // never reads, never closes
                }
                assertThat(ask(server, null)).isEqualTo("up 50%\n");
            } finally {
                for (Socket s : idle) s.close();
            }
        }
    }

    private static String ask(AgentCheckServer server, String send) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5_000);
            s.setSoTimeout(10_000);
            if (send != null) s.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
