package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.SwitchboardConfig;
import org.junit.jupiter.api.Test;

/**
 * A direct-server-return director has no listener of its own: the dispatcher starts, serves its
 * health checks and stops with none. The {@code dsr} section itself is dropped here (it would write
 * nftables on this host; {@code DsrNetnsIT} runs it in a namespace).
 */
class DirectorWithoutListenersIT {
    @Test
    void startsAndStopsWithoutListeners() throws Exception {
        SwitchboardConfig loaded = ConfigLoader.parse("""
                admin: {enabled: false}
                access-log: off
                pools:
                  web:
                    health: {type: tcp, interval: 100ms}
                    servers:
                      - {name: s1, address: "127.0.0.1:1"}
                dsr: {vip: 10.0.0.100, port: 1, interface: lo, pool: web}
                """, "director.yaml", null).config();
        SwitchboardConfig c = new SwitchboardConfig(loaded.source(), loaded.listeners(), loaded.pools(), 1, loaded.transport(),
                loaded.shutdownGrace(), loaded.accessLog(), loaded.accessLogFormat(), loaded.admin(), false, null, null, null, null);
        try (Switchboard sb = Switchboard.start(c)) {
            assertThat(sb.config().listeners()).isEmpty();
            assertThat(sb.pools()).containsKey("web");
            assertThat(sb.dsrStatus()).isNull();
        }
    }
}
