package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionCountsTest {
    private static final ClientKey A = new ClientKey(false, 1);
    private static final ClientKey B = new ClientKey(false, 2);

    @Test
    void perClientAndTotalLimits() {
        ConnectionCounts c = new ConnectionCounts(3, 2);
        assertThat(c.tryAcquire(A)).isNull();
        assertThat(c.tryAcquire(A)).isNull();
        assertThat(c.tryAcquire(A)).isEqualTo("2 connections open from this client (max-connections-per-ip: 2)");
        assertThat(c.tryAcquire(B)).isNull();
        assertThat(c.tryAcquire(B)).isEqualTo("3 connections open on the listener (max-connections: 3)");
        assertThat(c.open()).isEqualTo(3);
        c.release(A);
        assertThat(c.tryAcquire(B)).isNull();
        c.release(A); // room on the listener again, so only B's own limit can refuse it
        assertThat(c.tryAcquire(B)).isEqualTo("2 connections open from this client (max-connections-per-ip: 2)");
        c.release(B);
        c.release(B);
        assertThat(c.open()).isZero();
        assertThat(c.clients()).as("clients with nothing open leave the map").isZero();
    }

    @Test
    void unknownClientsAreOnlyCountedInTheTotal() {
        ConnectionCounts c = new ConnectionCounts(0, 1);
        assertThat(c.tryAcquire(ClientKey.UNKNOWN)).isNull();
        assertThat(c.tryAcquire(ClientKey.UNKNOWN)).isNull();
        assertThat(c.clients()).isZero();
    }

    @Test
    void aRefusalNamesTheLimitByItsConfigKey() {
        ConnectionCounts c = new ConnectionCounts(3, 2);
        c.tryAcquire(A);
        c.tryAcquire(A);
        assertThat(ConnectionCounts.limitOf(c.tryAcquire(A))).isEqualTo("max-connections-per-ip");
        c.tryAcquire(B);
        assertThat(ConnectionCounts.limitOf(c.tryAcquire(B))).isEqualTo("max-connections");
    }
}
