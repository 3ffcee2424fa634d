package io.switchboard.app;

import static io.switchboard.app.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchboard dsr print-backend-setup}, run in-process with captured output. */
class DsrCommandTest {
    private static final String CONFIG = """
            listeners: [{port: 8080, default-pool: web}]
            pools:
              web:
                servers:
                  - {name: s1, address: "10.0.0.11:80"}
                  - {name: s2, address: "10.0.0.12:80"}
            dsr: {vip: 10.0.0.100, port: 80, interface: lo, pool: web}
            """;

    @Test
    void printsTheScriptForEachServer(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("sb.yaml"), CONFIG);
        CommandRun r = run("dsr", "print-backend-setup", "-c", file.toString(), "--server-interface", "ens3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("#!/bin/sh\n# Direct server return for 10.0.0.100:80/tcp (dsr in " + file + ").\n"
                + "# Run as root on each server of pool web (s1 10.0.0.11, s2 10.0.0.12);\n");
        assertThat(r.out().lines().filter(l -> !l.startsWith("#") && !l.isBlank())).containsExactly(
                "set -e",
                "ip addr replace 10.0.0.100/32 dev lo",
                "sysctl -w net.ipv4.conf.all.arp_ignore=1",
                "sysctl -w net.ipv4.conf.all.arp_announce=2",
                "sysctl -w net.ipv4.conf.ens3.arp_ignore=1",
                "sysctl -w net.ipv4.conf.ens3.arp_announce=2",
                "sysctl -w net.ipv4.conf.all.rp_filter=2",
                "sysctl -w net.ipv4.conf.ens3.rp_filter=2");
    }

    @Test
    void aFileWithoutTheSectionOrWithErrors(@TempDir Path dir) throws Exception {
        Path none = Files.writeString(dir.resolve("none.yaml"), CONFIG.replaceAll("dsr:.*\n", ""));
        CommandRun r = run("dsr", "print-backend-setup", "-c", none.toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(r.err()).startsWith(none + ": no dsr section");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), CONFIG.replace("port: 80,", "port: 8080,"));
        r = run("dsr", "print-backend-setup", "-c", bad.toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(r.err()).contains(bad + ":7: dsr.pool: server 's1' of pool 'web' listens on port 80, but dsr.port is 8080");
        assertThat(run("dsr", "print-backend-setup", "-c", bad.toString(), "--server-interface", "a b").exitCode())
                .isEqualTo(Main.EXIT_CONFIG);
        assertThat(run("dsr").exitCode()).isEqualTo(Main.EXIT_CONFIG);
    }
}
