package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.balance.Maglev;
import io.switchboard.config.DsrConfig;
import io.switchboard.config.SwitchboardConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top-level {@code dsr} section: keys, defaults, and every problem at the line it concerns. */
class DsrSectionTest {
    private static final String FILE = "switchboard.yaml";
    private static final String HEAD = """
            listeners:
              - port: 8080
                default-pool: web
            pools:
              web:
                servers:
                  - {name: s1, address: "10.0.0.11:80"}
                  - {name: s2, address: "10.0.0.12:80", weight: 2}
            """; // the body starts on line 9

    private static LoadedConfig load(String body, ConfigLoader.Purpose purpose) throws ConfigException {
        return ConfigLoader.parse(HEAD + body, FILE, null, purpose);
    }

    private static List<String> errors(String body) {
        return ConfigText.errors(() -> load(body, ConfigLoader.Purpose.RUN));
    }

    @Test
    void everyKeyAndTheDefaults() throws Exception {
        DsrConfig d = load("dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web}\n", ConfigLoader.Purpose.RUN).config().dsr();
        assertThat(d).isEqualTo(new DsrConfig("10.0.0.100", 80, DsrConfig.Protocol.TCP, "lo", "web", Maglev.DEFAULT_SIZE));
        d = load("dsr:\n  vip: 10.0.0.100\n  port: 80\n  protocol: udp\n  interface: lo\n  pool: web\n  table-size: 251\n",
                ConfigLoader.Purpose.RUN).config().dsr();
        assertThat(d).isEqualTo(new DsrConfig("10.0.0.100", 80, DsrConfig.Protocol.UDP, "lo", "web", 251));
        assertThat(load("", ConfigLoader.Purpose.RUN).config().dsr()).isNull();
        assertThat(load("dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web}\n", ConfigLoader.Purpose.CHECK).summary())
                .isEqualTo("1 listener, 1 pool, 2 servers, direct server return 10.0.0.100:80/tcp on lo -> pool web");
    }

    @Test
    void aDirectorNeedsNoListener() throws Exception {
        String pools = HEAD.substring(HEAD.indexOf("pools:"));
        SwitchboardConfig c = ConfigLoader.parse(pools + "dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web}\n", FILE, null)
                .config();
        assertThat(c.listeners()).isEmpty();
        assertThat(c.dsr().pool()).isEqualTo("web");
        assertThat(ConfigText.errors(() -> ConfigLoader.parse(pools, FILE, null))).containsExactly(
                "switchboard.yaml:1: listeners: required key is missing (a list with at least one listener)");
    }

    @Test
    void requiredKeys() {
        assertThat(errors("dsr:\n  protocol: tcp\n")).containsExactly(
                "switchboard.yaml:10: dsr.vip: required key is missing (the virtual IPv4 address, e.g. 10.0.0.100)",
                "switchboard.yaml:10: dsr.port: required key is missing (1-65535, the port of the service (the servers listen on the same))",
                "switchboard.yaml:10: dsr.interface: required key is missing (the interface the virtual address's packets arrive on and"
                        + " leave by, e.g. eth0)",
                "switchboard.yaml:10: dsr.pool: required key is missing (the name of the pool whose servers answer)");
        assertThat(errors("dsr:\n")).containsExactly(
                "switchboard.yaml:9: dsr: is empty; give vip, port, interface and pool (or remove the section)");
    }

    @Test
    void badValues() {
        assertThat(errors("dsr:\n  vip: 10.0.0.300\n  port: 0\n  protocol: sctp\n  interface: eth0/1\n  pool: webb\n  table-size: 4096\n"
                + "  tables: 1\n")).containsExactly(
                "switchboard.yaml:10: dsr.vip: '10.0.0.300' is not an IPv4 address (e.g. 10.0.0.100, without a prefix length)",
                "switchboard.yaml:11: dsr.port: 0 is out of range (allowed: 1-65535)",
                "switchboard.yaml:12: dsr.protocol: unknown value 'sctp' (allowed: tcp, udp)",
                "switchboard.yaml:13: dsr.interface: 'eth0/1' is not a network interface name (up to 15 letters, digits, '.', '_', '-'"
                        + " or '@', e.g. eth0)",
                "switchboard.yaml:14: dsr.pool: no pool named 'webb', did you mean 'web'? (pools: web)",
                "switchboard.yaml:15: dsr.table-size: 4096 is not a prime (the Maglev table needs one; the next is 4099)",
                "switchboard.yaml:16: dsr.tables: unknown key 'tables' (allowed: vip, port, protocol, interface, pool, table-size)");
        assertThat(errors("dsr: {vip: \"2001:db8::1\", port: 80, interface: lo, pool: web}\n")).containsExactly(
                "switchboard.yaml:9: dsr.vip: '2001:db8::1': IPv6 is not supported by direct server return yet (give an IPv4 address,"
                        + " e.g. 10.0.0.100)");
    }

    @Test
    void whatDirectServerReturnCannotDo() {
        assertThat(errors("dsr: {vip: 10.0.0.100, port: 8080, interface: lo, pool: web}\n")).containsExactly(
                "switchboard.yaml:9: dsr.pool: server 's1' of pool 'web' listens on port 80, but dsr.port is 8080; direct server"
                        + " return cannot change the port (give the server 10.0.0.11:8080)",
                "switchboard.yaml:9: dsr.pool: server 's2' of pool 'web' listens on port 80, but dsr.port is 8080; direct server"
                        + " return cannot change the port (give the server 10.0.0.12:8080)");
        assertThat(errors("dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web, table-size: 1}\n")).containsExactly(
                "switchboard.yaml:9: dsr.table-size: '1' is not a table size (a prime from 2 to 65537, e.g. 251, 4093 or 65537)");
        assertThat(ConfigText.errors(() -> ConfigLoader.parse(HEAD.replace("10.0.0.12:80", "app2.example:80")
                + "dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web}\n", FILE, null))).containsExactly(
                "switchboard.yaml:9: dsr.pool: server 's2' of pool 'web' is app2.example; direct server return needs each server's"
                        + " IPv4 address (its MAC is looked up on the interface)");
    }

    @Test
    void aMissingInterfaceFailsRunAndWarnsCheck() throws Exception {
        String body = "dsr: {vip: 10.0.0.100, port: 80, interface: nosuch0, pool: web}\n";
        assertThat(errors(body)).singleElement().asString()
                .startsWith("switchboard.yaml:9: dsr.interface: no interface named 'nosuch0' on this host (interfaces: ")
                .contains("lo");
        assertThat(ConfigText.warnings(load(body, ConfigLoader.Purpose.CHECK))).singleElement().asString()
                .startsWith("switchboard.yaml:9: warning: dsr.interface: no interface named 'nosuch0'").endsWith("; run refuses it");
    }

    @Test
    void aSmallTableIsAWarning() throws Exception {
        assertThat(ConfigText.warnings(load("dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web, table-size: 13}\n",
                ConfigLoader.Purpose.RUN))).containsExactly(
                "switchboard.yaml:9: warning: dsr.table-size: 13 slots for 2 servers split the flows unevenly; give a prime of at least 40"
                        + " (e.g. 4093)");
    }
}
