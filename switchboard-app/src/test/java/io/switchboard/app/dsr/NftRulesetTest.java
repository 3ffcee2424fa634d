package io.switchboard.app.dsr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.balance.Maglev;
import io.switchboard.config.DsrConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text written to nft: golden tables for three servers, none, UDP, and refused MACs. */
class NftRulesetTest {
    static final DsrConfig TCP = new DsrConfig("10.0.0.100", 80, DsrConfig.Protocol.TCP, "eth0", "web", 13);
    static final List<Maglev.Entry> THREE = List.of(new Maglev.Entry("s1@10.0.0.11", 1), new Maglev.Entry("s2@10.0.0.12", 1),
            new Maglev.Entry("s3@10.0.0.13", 1));
    static final Map<String, String> MACS = Map.of("s1@10.0.0.11", "02:00:00:00:00:11", "s2@10.0.0.12", "02:00:00:00:00:12",
            "s3@10.0.0.13", "02:00:00:00:00:13");

    @Test
    void threeServers() {
        String text = NftRuleset.table(TCP, "02:00:00:00:00:01", Maglev.build(THREE, 13), MACS);
        assertThat(text).isEqualTo("""
                table netdev switchboard_dsr {
                \tchain ingress {
                \t\ttype filter hook ingress device "eth0" priority 0; policy accept;
                \t\tip saddr 10.0.0.100 tcp sport 80 counter comment "replies through the director"
                \t\tip daddr 10.0.0.100 tcp dport 80 counter ether saddr set 02:00:00:00:00:01 ether daddr set jhash ip saddr . tcp sport \
                mod 13 seed 0x5357dc2b map { 0 : 02:00:00:00:00:12, 1 : 02:00:00:00:00:11, 2 : 02:00:00:00:00:13, 3 : 02:00:00:00:00:13, \
                4 : 02:00:00:00:00:12, 5 : 02:00:00:00:00:11, 6 : 02:00:00:00:00:13, 7 : 02:00:00:00:00:12, 8 : 02:00:00:00:00:11, \
                9 : 02:00:00:00:00:12, 10 : 02:00:00:00:00:11, 11 : 02:00:00:00:00:13, 12 : 02:00:00:00:00:11 } fwd to "eth0"
                \t}
                }
                """);
        assertThat(NftRuleset.transaction(text)).startsWith("table netdev switchboard_dsr\ndelete table netdev switchboard_dsr\n"
                + "table netdev switchboard_dsr {\n");
    }

    @Test
    void noServerDropsTheVirtualAddressesPackets() {
        DsrConfig udp = new DsrConfig("10.0.0.100", 53, DsrConfig.Protocol.UDP, "bond0", "dns", 251);
        assertThat(NftRuleset.table(udp, "02:00:00:00:00:01", Maglev.build(List.of(), 251), Map.of())).isEqualTo("""
                table netdev switchboard_dsr {
                \tchain ingress {
                \t\ttype filter hook ingress device "bond0" priority 0; policy accept;
                \t\tip saddr 10.0.0.100 udp sport 53 counter comment "replies through the director"
                \t\tip daddr 10.0.0.100 udp dport 53 counter drop comment "no eligible server"
                \t}
                }
                """);
    }

    @Test
    void theCountersOfTheKernelsListing() {
        String listing = """
                table netdev switchboard_dsr {
                	chain ingress {
                		type filter hook ingress device "eth0" priority filter; policy accept;
                		ip saddr 10.0.0.100 tcp sport 80 counter packets 3 bytes 180 comment "replies through the director"
                		ip daddr 10.0.0.100 tcp dport 80 counter packets 906 bytes 58712 ether saddr set 02:00:00:00:00:01 ether daddr \
                set jhash ip saddr . tcp sport mod 13 seed 0x5357dc2b map { 0 : 02:00:00:00:00:12 } fwd to "eth0"
                	}
                }
                """;
        assertThat(NftRuleset.counters(listing)).containsExactly(906L, 3L);
        assertThat(NftRuleset.counters("table netdev switchboard_dsr {\n}\n")).containsExactly(null, null);
    }

    @Test
    void aMissingOrMalformedMacIsRefused() {
        Maglev t = Maglev.build(THREE, 13);
        assertThatThrownBy(() -> NftRuleset.table(TCP, "02:00:00:00:00:01", t, Map.of("s1@10.0.0.11", "02:00:00:00:00:11")))
                .hasMessage("server s2@10.0.0.12: 'null' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        assertThatThrownBy(() -> NftRuleset.table(TCP, "02:00:00:00:00:01\"; flush ruleset", t, MACS))
                .hasMessageStartingWith("the interface eth0: '02:00:00:00:00:01\"; flush ruleset' is not a MAC address");
    }
}
