package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Client IP text shared by the connections from one address, and right for every address. */
class ClientIpsTest {

    private static InetSocketAddress at(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void connectionsFromOneAddressShareTheText() throws UnknownHostException {
        ClientIps.Text a = ClientIps.of(at("127.0.0.1", 40000));
        ClientIps.Text b = ClientIps.of(at("127.0.0.1", 40001));
        assertThat(a.text()).isEqualTo("127.0.0.1");
        assertThat(b.text()).isSameAs(a.text());
        assertThat(b.bytes()).isSameAs(a.bytes());
    }

    @Test
    void everyAddressGetsItsOwnTextEvenWhenSlotsCollide() throws UnknownHostException {
        // More addresses than slots: some share a slot, and each must still get its own text.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 2 * ClientIps.SLOTS; i++) {
                String ip = "10.0." + (i >> 8) + "." + (i & 0xff);
                ClientIps.Text t = ClientIps.of(at(ip, 1234));
                assertThat(t.text()).isEqualTo(ip);
                assertThat(new String(t.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo(ip);
            }
        }
    }

    @Test
    void ipv6AndUnresolvedAddresses() throws UnknownHostException {
        assertThat(ClientIps.of(at("::1", 1)).text()).isEqualTo("0:0:0:0:0:0:0:1");
        ClientIps.Text u = ClientIps.of(InetSocketAddress.createUnresolved("client.example", 1));
        assertThat(u.text()).isEqualTo("client.example");
        assertThat(new String(u.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo("client.example");
    }
}
