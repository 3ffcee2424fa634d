package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerStatusTest {
    static final String NGINX = """
            Active connections: 291\s
            server accepts handled requests
             16630948 16630948 31070465\s
            Reading: 6 Writing: 179 Waiting: 106\s
            """;

    static final String APACHE = """
            localhost
            ServerVersion: Apache/2.4.62 (Debian)
            ServerMPM: event
            Total Accesses: 1284
            Total kBytes: 912
            Uptime: 5012
            ReqPerSec: .256185
            BusyWorkers: 3
            IdleWorkers: 72
            Processes: 3
            Stopping: 0
            ConnsTotal: 1
            Scoreboard: __W___________________________________________________________________..........
            """;

    @Test
    void nginxActiveConnectionsAreBusyWorkers() {
        assertThat(ServerStatus.parse(ServerStatus.Kind.NGINX, NGINX)).isEqualTo(new ServerStatus(291, -1));
    }

    @Test
    void apacheBusyAndIdleWorkers() {
        assertThat(ServerStatus.parse(ServerStatus.Kind.APACHE, APACHE)).isEqualTo(new ServerStatus(3, 72));
        assertThat(ServerStatus.parse(ServerStatus.Kind.APACHE, APACHE.replace("\n", "\r\n"))).isEqualTo(new ServerStatus(3, 72));
    }

    @Test
    void theWrongPageOrAMalformedFigureSaysWhat() {
        assertThatThrownBy(() -> ServerStatus.parse(ServerStatus.Kind.APACHE, NGINX))
                .hasMessage("no 'BusyWorkers:' line (is this an Apache server-status?auto page?)");
        assertThatThrownBy(() -> ServerStatus.parse(ServerStatus.Kind.NGINX, "<html>Welcome to nginx!</html>"))
                .hasMessageContaining("no 'Active connections:' line");
        assertThatThrownBy(() -> ServerStatus.parse(ServerStatus.Kind.NGINX, "Active connections: many\n"))
                .hasMessageContaining("'Active connections:' is followed by 'many', not a count");
        assertThatThrownBy(() -> ServerStatus.parse(ServerStatus.Kind.APACHE, "BusyWorkers: -3\nIdleWorkers: 2\n"))
                .hasMessageContaining("not a count");
    }
}
