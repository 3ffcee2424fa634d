package io.switchboard.app.dsr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MACs from a neighbour table and a /sys/class/net as the kernel writes them (files here, no network). */
class NeighboursTest {
    @TempDir
    Path dir;

    private Neighbours neighbours() throws Exception {
        Files.writeString(dir.resolve("arp"), """
                IP address       HW type     Flags       HW address            Mask     Device
                10.0.0.11        0x1         0x2         0a:35:09:76:18:6F     *        eth0
                10.0.0.12        0x1         0x0         00:00:00:00:00:00     *        eth0
                10.0.0.13        0x1         0x2         7a:0c:12:5c:4e:7e     *        eth1
                """);
        Files.createDirectories(dir.resolve("net/eth0"));
        Files.writeString(dir.resolve("net/eth0/address"), "D2:DF:5A:F5:A0:AD\n");
        Files.createDirectories(dir.resolve("net/lo"));
        return new Neighbours(dir.resolve("arp"), dir.resolve("net"));
    }

    @Test
    void aCompleteEntryOnTheInterface() throws Exception {
        Neighbours n = neighbours();
        assertThat(n.lookup("10.0.0.11", "eth0")).isEqualTo("0a:35:09:76:18:6f");
        assertThat(n.lookup("10.0.0.12", "eth0")).as("incomplete").isNull();
        assertThat(n.lookup("10.0.0.13", "eth0")).as("on another interface").isNull();
        assertThat(n.interfaceMac("eth0")).isEqualTo("d2:df:5a:f5:a0:ad");
    }

    @Test
    void noMacAfterTheProbeIsAnErrorThatSaysWhere() throws Exception {
        // 192.0.2.0/24 (TEST-NET-1) is never answered; the probe is one datagram
        assertThatThrownBy(() -> neighbours().serverMac("192.0.2.7", "eth0", "s2 (192.0.2.7)"))
                .isInstanceOf(DsrException.class)
                .hasMessage("server s2 (192.0.2.7) has no MAC address on eth0 (not in the neighbour table after a probe: ip -4 neigh"
                        + " show 192.0.2.7): is it up and on the same L2 segment as eth0?");
    }

    @Test
    void anInterfaceThatDoesNotExist() throws Exception {
        assertThatThrownBy(() -> neighbours().interfaceMac("eth9")).isInstanceOf(DsrException.class)
                .hasMessage("no interface named 'eth9' on this host (interfaces: eth0, lo); the table in force stays");
    }
}
