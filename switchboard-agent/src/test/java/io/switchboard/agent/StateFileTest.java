package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.load.AgentState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    @TempDir
    Path dir;

    @Test
    void theFirstWordIsTheStateAndNoFileIsUp() throws Exception {
        Path f = dir.resolve("state");
        StateFile s = new StateFile(f);
        assertThat(s.read()).as("no file").isEqualTo(AgentState.UP);
        Files.writeString(f, "drain\n");
        assertThat(s.read()).isEqualTo(AgentState.DRAIN);
        Files.writeString(f, "  MAINT  until the disk is replaced\n");
        assertThat(s.read()).isEqualTo(AgentState.MAINT);
        Files.writeString(f, "stopped");
        assertThat(s.read()).isEqualTo(AgentState.DOWN);
        Files.writeString(f, "ready");
        assertThat(s.read()).isEqualTo(AgentState.READY);
        Files.writeString(f, "\n");
        assertThat(s.read()).as("empty").isEqualTo(AgentState.UP);
        Files.writeString(f, "drain");
        s.read();
        Files.delete(f);
        assertThat(s.read()).as("removed: back to up").isEqualTo(AgentState.UP);
    }

    @Test
    void anUnknownWordKeepsTheLastState() throws Exception {
        Path f = dir.resolve("state");
        StateFile s = new StateFile(f);
        Files.writeString(f, "drain");
        assertThat(s.read()).isEqualTo(AgentState.DRAIN);
        Files.writeString(f, "drian");
        assertThat(s.read()).isEqualTo(AgentState.DRAIN);
        Files.createDirectories(dir.resolve("dir"));
        assertThat(new StateFile(dir.resolve("dir")).read()).as("unreadable: the initial state").isEqualTo(AgentState.UP);
    }
}
