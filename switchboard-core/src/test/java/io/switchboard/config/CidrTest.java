package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    @Test
    void ipv4NetworksMatchTheirAddressesOnly() throws Exception {
        Cidr net = Cidr.parse("10.1.0.0/16");
        assertThat(net.contains(ip("10.1.0.0"))).isTrue();
        assertThat(net.contains(ip("10.1.255.255"))).isTrue();
        assertThat(net.contains(ip("10.2.0.0"))).isFalse();
        assertThat(net.contains(ip("9.255.255.255"))).isFalse();
        assertThat(net.contains(ip("::ffff:10.1.0.1"))).as("IPv4-mapped literal is an IPv4 address in Java").isTrue();
        assertThat(net.contains(ip("2001:db8::1"))).isFalse();
        assertThat(net.toString()).isEqualTo("10.1.0.0/16");
    }

    @Test
    void bareAddressAndEdgePrefixes() throws Exception {
        assertThat(Cidr.parse("192.168.1.5")).isEqualTo(Cidr.parse("192.168.1.5/32"));
        assertThat(Cidr.parse("192.168.1.5").contains(ip("192.168.1.6"))).isFalse();
        Cidr all = Cidr.parse("0.0.0.0/0");
        assertThat(all.contains(ip("255.255.255.255"))).isTrue();
        assertThat(all.contains(ip("::1"))).as("an IPv4 network never matches IPv6").isFalse();
        assertThat(Cidr.parse("255.255.255.255/32").contains(ip("255.255.255.255"))).isTrue();
        assertThat(Cidr.parse("128.0.0.0/1").contains(ip("200.0.0.1"))).isTrue();
        assertThat(Cidr.parse("128.0.0.0/1").contains(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void ipv6NetworksAcrossBothWords() throws Exception {
        Cidr net = Cidr.parse("2001:db8::/32");
        assertThat(net.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(net.contains(ip("2001:db9::1"))).isFalse();
        assertThat(net.contains(ip("10.0.0.1"))).isFalse();
        Cidr deep = Cidr.parse("2001:db8:0:0:8000::/65");
        assertThat(deep.contains(ip("2001:db8::8000:0:0:1"))).isTrue();
        assertThat(deep.contains(ip("2001:db8::7fff:0:0:1"))).isFalse();
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(Cidr.parse("::/0").contains(ip("fe80::1"))).isTrue();
        assertThat(Cidr.parse("2001:DB8:0:0:0:0:0:0/32").toString()).isEqualTo("2001:db8::/32");
        assertThat(Cidr.parse("fe80:0:0:0:0:0:0:0/64").toString()).isEqualTo("fe80::/64");
        assertThat(Cidr.parse("2001:0:0:1::/64").toString()).isEqualTo("2001:0:0:1::/64");
        assertThat(Cidr.parse("::1").toString()).isEqualTo("::1/128");
    }

    @Test
    void mistakesAreExplained() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8")).hasMessage(
                "'10.0.0.1/8' has host bits set (write 10.0.0.0/8 for the network, or 10.0.0.1/32 for the address)");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessage(
                "'10.0.0.0/33': prefix length 33 is out of range for IPv4 (allowed: 0-32)");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).hasMessage(
                "'2001:db8::/129': prefix length 129 is out of range for IPv6 (allowed: 0-128)");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessage(
                "'10.0.0.0/x': prefix length 'x' is not a number (allowed: 0-32)");
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessage(
                "'example.com' is not an IP address or network (write e.g. 10.0.0.0/8, 192.168.1.5 or 2001:db8::/32;"
                        + " host names are not allowed)");
        assertThatThrownBy(() -> Cidr.parse("300.0.0.0/8")).hasMessageContaining("'300.0.0.0' is not a valid IPv4 address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0/8")).hasMessageContaining("'10.0.0' is not a valid IPv4 address");
        assertThatThrownBy(() -> Cidr.parse("010.0.0.0/8")).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> Cidr.parse("1::2::3")).hasMessageContaining("'1::2::3' is not a valid IPv6 address");
        assertThatThrownBy(() -> Cidr.parse("::ffff:10.0.0.0/104")).hasMessageContaining("dotted form");
        assertThatThrownBy(() -> Cidr.parse("/8")).hasMessage("'/8' has no address (write e.g. 10.0.0.0/8, 192.168.1.5 or 2001:db8::/32)");
    }
}
