package io.switchboard.cluster.vip;

import static io.switchboard.cluster.vip.TestNetwork.addresses;
import static io.switchboard.cluster.vip.TestNetwork.in;
import static io.switchboard.cluster.vip.TestNetwork.must;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.cluster.VipAssignment;
import io.switchboard.proxy.DebianPeer;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link VipHolder} on a real interface: a veth pair between two network namespaces the test makes,
 * the holder on one end, a neighbour on the other that accepts gratuitous ARP into its table.
 */
class VipHolderIT {
    private static final String DEV = "sbv0";
    private static final String PEER_DEV = "sbv1";
    private static final List<String> VIPS = List.of("10.77.0.100/24", "10.77.0.101/24");
    private static TestNetwork net;
    private static String holderNs;
    private static String peerNs;

    @BeforeAll
    static void namespaces() throws Exception {
        TestNetwork.assumeRoot();
        DebianPeer.require("arping", "iputils-arping");
        net = new TestNetwork();
        holderNs = net.namespace("h");
        peerNs = net.namespace("p");
        must("ip", "-n", holderNs, "link", "add", DEV, "type", "veth", "peer", "name", PEER_DEV, "netns", peerNs);
        must("ip", "-n", holderNs, "link", "set", DEV, "up");
        must("ip", "-n", peerNs, "link", "set", PEER_DEV, "up");
        must("ip", "-n", peerNs, "addr", "add", "10.77.0.2/24", "dev", PEER_DEV);
        // A gratuitous ARP creates a neighbour entry only where arp_accept is on.
        must("ip", "netns", "exec", peerNs, "sysctl", "-q", "-w", "net.ipv4.conf." + PEER_DEV + ".arp_accept=1");
        // A veth end is up (and passes frames) once both ends are.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                must("ip", "-n", holderNs, "-o", "link", "show", DEV).contains("state UP"));
    }

    @AfterAll
    static void removeNamespaces() throws Exception {
        if (net != null) {
            net.close();
        }
    }

    @AfterEach
    void flush() throws Exception {
        if (holderNs != null) {
            must("ip", "-n", holderNs, "addr", "flush", "dev", DEV);
        }
    }

    @Test
    void addsAnnouncesRemovesAndDropsEverythingAtClose() throws Exception {
        VipHolder holder = new VipHolder(DEV, VIPS, in(holderNs));
        holder.start();
        holder.apply(new VipAssignment.Diff(VIPS, List.of()), 7);
        assertThat(addresses(holderNs, DEV)).contains("inet 10.77.0.100/24", "inet 10.77.0.101/24");
        assertThat(holder.held()).containsExactlyElementsOf(VIPS);

        String mac = mac(holderNs, DEV);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(must("ip", "-n", peerNs, "neigh", "show", "10.77.0.100", "dev", PEER_DEV))
                        .as("the neighbour learned the holder's MAC from the gratuitous ARP").contains(mac));

        holder.apply(new VipAssignment.Diff(List.of(), List.of("10.77.0.101/24")), 8);
        assertThat(addresses(holderNs, DEV)).contains("inet 10.77.0.100/24").doesNotContain("10.77.0.101");
        assertThat(holder.held()).containsExactly("10.77.0.100/24");

        holder.close();
        assertThat(addresses(holderNs, DEV)).doesNotContain("10.77.0.10");
        assertThat(holder.held()).isEmpty();
    }

    @Test
    void staleCopiesOfItsAddressesAreRemovedAtStartAndOthersKept() throws Exception {
        must("ip", "-n", holderNs, "addr", "add", "10.77.0.101/24", "dev", DEV);
        must("ip", "-n", holderNs, "addr", "add", "10.77.0.50/24", "dev", DEV);

        VipHolder holder = new VipHolder(DEV, VIPS, in(holderNs));
        holder.start();

        assertThat(addresses(holderNs, DEV)).contains("inet 10.77.0.50/24").doesNotContain("10.77.0.101");
        assertThat(holder.held()).isEmpty();
        holder.close();
        assertThat(addresses(holderNs, DEV)).contains("inet 10.77.0.50/24");
    }

    @Test
    void aMissingInterfaceIsLoggedNotThrown() {
        VipHolder holder = new VipHolder("sbnosuch0", VIPS, in(holderNs));
        holder.start();
        holder.apply(new VipAssignment.Diff(VIPS, List.of()), 3);
        assertThat(holder.held()).isEmpty();
        holder.close();
    }

    private static String mac(String ns, String dev) throws Exception {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(must("ip", "-n", ns, "-o", "link", "show", dev));
        assertThat(m.find()).as("MAC address of " + dev).isTrue();
        return m.group(1);
    }
}
