package io.switchboard.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a test group's members. A member's port must stay free while the member is down (a test
 * that restarts a node binds the same port again), so it is taken below the kernel's ephemeral range:
 * a port from {@code new ServerSocket(0)} lies inside it, where any outgoing connection, such as the
 * other members' reconnects, may be given it as its local port meanwhile ("No available port to
 * bind to" when the node restarts). FD_SOCK2 listens 100 above the transport port, so both must be free.
 */
public final class TestPorts {
    private TestPorts() {}

    /** Ports handed out in this JVM: never again, and never where one's FD_SOCK2 range meets another's port. */
    private static final Set<Integer> HANDED = new HashSet<>();

    /**
     * A loopback port below the ephemeral range whose port 100 above is free too, not handed out
     * before in this JVM, and not 96-110 away from one that was: a member's FD_SOCK2 listens on the
     * first free port of its port + 100..104, which must not be another member's port (a test picks
     * all its members' ports before it starts any of them).
     */
    public static synchronized int freeMemberPort() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int low = 20_000;
        int high = Math.max(low + 1_000, ephemeralStart() - 111);
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(low, high);
            if (clashes(port)) continue;
            try (ServerSocket s = new ServerSocket(port, 1, loopback);
                 ServerSocket fd = new ServerSocket(port + 100, 1, loopback)) {
                HANDED.add(port);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port in " + low + "-" + high + " with a free port 100 above it after 500 attempts");
    }

    private static boolean clashes(int port) {
        for (int h : HANDED) {
            int d = Math.abs(port - h);
            if (d == 0 || (d >= 96 && d <= 110)) return true;
        }
        return false;
    }

    /** The first port of the kernel's ephemeral range (Linux), 32768 when it cannot be read. */
    static int ephemeralStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
