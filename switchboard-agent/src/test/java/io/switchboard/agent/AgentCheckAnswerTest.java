package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import org.junit.jupiter.api.Test;

class AgentCheckAnswerTest {
    @Test
    void weightIsTheIdleCpuShareWithAFloor() {
        assertThat(AgentCheckAnswer.weightPercent(0.0, 1)).isEqualTo(100);
        assertThat(AgentCheckAnswer.weightPercent(0.27, 1)).isEqualTo(73);
        assertThat(AgentCheckAnswer.weightPercent(0.996, 1)).as("floored: a busy server still gets a trickle").isEqualTo(1);
        assertThat(AgentCheckAnswer.weightPercent(1.0, 0)).isZero();
        assertThat(AgentCheckAnswer.weightPercent(0.9, 25)).isEqualTo(25);
        assertThat(AgentCheckAnswer.weightPercent(Double.NaN, 1)).as("not measured yet").isEqualTo(LoadReport.UNKNOWN);
    }

    @Test
    void withoutAStateFileTheAgentSaysUpAndNoAdministrativeWord() {
        assertThat(AgentCheckAnswer.line(AgentState.NONE, 73, LoadReport.UNKNOWN)).isEqualTo("up 73%\n");
        assertThat(AgentCheckAnswer.line(AgentState.NONE, LoadReport.UNKNOWN, LoadReport.UNKNOWN)).isEqualTo("up\n");
    }

    @Test
    void withAStateFileEveryAnswerSaysTheAdministrativeState() {
        assertThat(AgentCheckAnswer.line(AgentState.UP, 73, LoadReport.UNKNOWN)).isEqualTo("up ready 73%\n");
        assertThat(AgentCheckAnswer.line(AgentState.READY, 73, LoadReport.UNKNOWN)).isEqualTo("up ready 73%\n");
        assertThat(AgentCheckAnswer.line(AgentState.DRAIN, 73, 50)).isEqualTo("up drain 73% maxconn:50\n");
        assertThat(AgentCheckAnswer.line(AgentState.MAINT, LoadReport.UNKNOWN, LoadReport.UNKNOWN)).isEqualTo("up maint\n");
        assertThat(AgentCheckAnswer.line(AgentState.DOWN, 5, LoadReport.UNKNOWN)).isEqualTo("down ready 5% #state file says down\n");
    }
}
