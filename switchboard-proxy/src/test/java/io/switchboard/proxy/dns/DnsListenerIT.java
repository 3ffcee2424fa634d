package io.switchboard.proxy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.config.DnsConfig;
import io.switchboard.dns.Authority;
import io.switchboard.dns.DnsServer;
import io.switchboard.dns.DnsStats;
import io.switchboard.dns.PoolName;
import io.switchboard.dns.SoaSpec;
import io.switchboard.dns.ZoneSpec;
import io.switchboard.proxy.Transport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DNS listener on each transport: UDP answered from many client sockets (spread over the loops'
 * sockets by SO_REUSEPORT on the native transports), TCP with two pipelined length-prefixed queries,
 * and a taken port refused.
 */
class DnsListenerIT {

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void answersOverUdpAndTcpOnEveryTransport(String name) throws Exception {
        if (name.equals("io_uring")) assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        if (name.equals("epoll")) assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
        Transport transport = Transport.select(name);
        EventLoopGroup group = transport.newGroup(2, new DefaultThreadFactory("dns-test", true));
        Authority authority = new Authority(List.of(new ZoneSpec("example.test", SoaSpec.defaults("ns1", "hostmaster"),
                List.of("ns1"), List.of(new PoolName("www", "app")), List.of(), List.of())));
        authority.updatePool("app", List.of(new DnsServer("a", InetAddress.getByName("127.0.0.2"), 80, 1, true),
                new DnsServer("b", InetAddress.getByName("127.0.0.3"), 80, 1, true)));
        DnsStats stats = new DnsStats();
        DnsConfig config = new DnsConfig("127.0.0.1", 0, 1232, null, List.of());
        DnsListener listener = new DnsListener(config, authority, stats, transport, group);
        try {
            listener.start();
            assertThat(listener.udpSockets()).isEqualTo(transport.reusePort() ? 2 : 1);
            InetSocketAddress at = listener.localAddress();
            for (int i = 0; i < 40; i++) {
                try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    client.setSoTimeout(2000);
                    byte[] q = query(i, "www.example.test");
                    client.send(new DatagramPacket(q, q.length, at));
                    DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
                    client.receive(p);
                    ByteBuffer r = ByteBuffer.wrap(p.getData(), 0, p.getLength());
                    assertThat(r.getShort(0)).isEqualTo((short) i);
                    assertThat(r.getShort(2) & 0xF).as("RCODE").isZero();
                    assertThat(r.getShort(6)).as("ANCOUNT").isEqualTo((short) 2);
                }
            }
            try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                byte[] a = query(7, "www.example.test");
                byte[] b = query(8, "nope.example.test");
                ByteBuffer both = ByteBuffer.allocate(4 + a.length + b.length);
                both.putShort((short) a.length).put(a).putShort((short) b.length).put(b);
                out.write(both.array());
                DataInputStream in = new DataInputStream(s.getInputStream());
                for (int id : new int[] {7, 8}) {
                    byte[] r = new byte[in.readUnsignedShort()];
                    in.readFully(r);
                    ByteBuffer rb = ByteBuffer.wrap(r);
                    assertThat(rb.getShort(0)).isEqualTo((short) id);
                    assertThat(rb.getShort(2) & 0xF).as("RCODE").isEqualTo(id == 7 ? 0 : 3);
                }
            }
            Socket idle = new Socket(at.getAddress(), at.getPort());
            idle.setSoTimeout(5000);
            byte[] c = query(9, "www.example.test");
            idle.getOutputStream().write(ByteBuffer.allocate(2 + c.length).putShort((short) c.length).put(c).array());
            DataInputStream idleIn = new DataInputStream(idle.getInputStream());
            idleIn.readFully(new byte[idleIn.readUnsignedShort()]); // accepted and served: now it only idles
            assertThat(stats.responses(0)).isEqualTo(42);
            assertThat(stats.responses(3)).isEqualTo(1);

            DnsListener second = new DnsListener(new DnsConfig("127.0.0.1", at.getPort(), 1232, null, List.of()), authority,
                    stats, transport, group);
            assertThatThrownBy(second::start).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("dns: cannot listen on 127.0.0.1:" + at.getPort());
            listener.close();
            assertThat(idle.getInputStream().read()).as("an open TCP connection is closed with the listener").isEqualTo(-1);
            idle.close();
        } finally {
            listener.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void theConfiguredRateLimitSlipsOverTheLimit() throws Exception {
        Transport transport = Transport.select("auto");
        EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("dns-test", true));
        Authority authority = new Authority(List.of(new ZoneSpec("example.test", SoaSpec.defaults("ns1", "hostmaster"),
                List.of("ns1"), List.of(new PoolName("www", "app")), List.of(), List.of())));
        authority.updatePool("app", List.of(new DnsServer("a", InetAddress.getByName("127.0.0.2"), 80, 1, true)));
        DnsStats stats = new DnsStats();
        DnsConfig config = new DnsConfig("127.0.0.1", 0, 1232, new DnsConfig.RateLimit(1, 1), List.of());
        DnsListener listener = new DnsListener(config, authority, stats, transport, group, () -> 0L); // time stands still
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            listener.start();
            client.setSoTimeout(2000);
            List<Boolean> truncated = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] q = query(i, "www.example.test");
                client.send(new DatagramPacket(q, q.length, listener.localAddress()));
                DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
                client.receive(p);
                truncated.add((ByteBuffer.wrap(p.getData()).getShort(2) & 0x0200) != 0);
            }
            assertThat(truncated).containsExactly(false, true, true, true);
            assertThat(stats.slipped()).isEqualTo(3);
        } finally {
            listener.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static byte[] query(int id, String name) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) 0).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0).putShort((short) 1).putShort((short) 1);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}
