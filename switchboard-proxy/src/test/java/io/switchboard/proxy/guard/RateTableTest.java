package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Token buckets with a fixed clock: no sleeps, no real time. */
class RateTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final ClientKey A = new ClientKey(false, 0x0a000001L);
    private static final ClientKey B = new ClientKey(false, 0x0a000002L);

    @Test
    void aBurstThenTheRate() {
        RateTable t = new RateTable(2, 3, 1024); // 2 per second, bursts of 3
        long now = 1000 * SECOND;
        for (int i = 0; i < 3; i++) assertThat(t.tryAcquire(A, now)).isTrue();
        assertThat(t.tryAcquire(A, now)).as("bucket empty").isFalse();
        assertThat(t.tryAcquire(B, now)).as("clients have their own buckets").isTrue();
        assertThat(t.tryAcquire(A, now + SECOND / 2 - 1)).as("just under one token refilled").isFalse();
        assertThat(t.tryAcquire(A, now + SECOND / 2)).isTrue();
        assertThat(t.tryAcquire(A, now + SECOND / 2)).isFalse();
        long later = now + 100 * SECOND;
        for (int i = 0; i < 3; i++) assertThat(t.tryAcquire(A, later)).as("refilled up to the burst, not beyond").isTrue();
        assertThat(t.tryAcquire(A, later)).isFalse();
    }

    @Test
    void fractionalRates() {
        RateTable t = new RateTable(0.5, 1, 1024); // one request every 2 s
        assertThat(t.tryAcquire(A, 0)).isTrue();
        assertThat(t.tryAcquire(A, SECOND)).isFalse();
        assertThat(t.tryAcquire(A, 2 * SECOND)).isTrue();
    }

    @Test
    void manyAddressesCannotGrowTheTableBeyondItsCapacity() {
        RateTable t = new RateTable(1, 1, 1024);
        for (long ip = 0; ip < 100_000; ip++) {
            assertThat(t.tryAcquire(new ClientKey(false, ip), 5 * SECOND)).isTrue();
        }
        assertThat(t.size()).isLessThanOrEqualTo(1024);
    }

    @Test
    void idleClientsExpire() {
        RateTable t = new RateTable(1, 2, 1024);
        for (long ip = 0; ip < 500; ip++) t.tryAcquire(new ClientKey(false, ip), 0);
        assertThat(t.size()).isEqualTo(500);
        // Two seconds later every bucket is full again: each new client pushes out idle ones.
        for (long ip = 1000; ip < 1016; ip++) t.tryAcquire(new ClientKey(false, ip), 3 * SECOND);
        assertThat(t.size()).isLessThan(500);
    }

    @Test
    void anIpv6ClientIsItsSlash64() throws Exception {
        var a = new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:2::1"), 80);
        var b = new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:2:ffff::9"), 80);
        var c = new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:3::1"), 80);
        assertThat(ClientKey.of(a)).isEqualTo(ClientKey.of(b));
        assertThat(ClientKey.of(a)).isNotEqualTo(ClientKey.of(c));
        var v4 = new java.net.InetSocketAddress(java.net.InetAddress.getByName("10.0.0.1"), 80);
        var mapped = new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1}), 80);
        assertThat(ClientKey.of(mapped)).isEqualTo(ClientKey.of(v4));
        assertThat(ClientKey.of(new io.netty.channel.local.LocalAddress("x"))).isSameAs(ClientKey.UNKNOWN);
    }
}
