package io.switchboard.app;

import io.switchboard.config.ClusterConfig;
import io.switchboard.config.SwitchboardConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A {@code cluster} section for the in-process dispatchers of a wiring test on 127.0.0.1: a member's
 * port, and a config with the section added.
 */
final class ClusterTestConfig {
    private ClusterTestConfig() {}

    /** A free loopback port whose port 100 above is free too: a member's FD_SOCK2 listens there. */
    static int freePort() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
                int port = s.getLocalPort();
                if (port + 100 <= 65535) {
                    try (ServerSocket fd = new ServerSocket(port + 100, 1, loopback)) {
                        return fd.getLocalPort() - 100;
                    } catch (IOException taken) {
                        // try another
                    }
                }
            }
        }
        throw new IOException("no free loopback port with a free port 100 above it after 50 attempts");
    }

    /** {@code base} with {@code cluster} as its cluster section. */
    static SwitchboardConfig withCluster(SwitchboardConfig b, ClusterConfig cluster) {
        return new SwitchboardConfig(b.source(), b.listeners(), b.pools(), b.eventLoops(), b.transport(), b.shutdownGrace(),
                b.accessLog(), b.accessLogFormat(), b.admin(), b.watchConfig(), b.loadReports(), b.dns(), cluster);
    }
}
