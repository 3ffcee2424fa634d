package io.switchboard.proxy.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import org.junit.jupiter.api.Test;

class AgentCheckAnswerTest {

    @Test
    void weightStateAndMaxconnInAnyOrderAndCase() {
        assertThat(AgentCheckAnswer.parse("75% drain\n"))
                .isEqualTo(new AgentCheckAnswer(AgentState.DRAIN, 75, LoadReport.UNKNOWN, null));
        assertThat(AgentCheckAnswer.parse("UP,maxconn:30\t150%  # warm\r\n"))
                .isEqualTo(new AgentCheckAnswer(AgentState.UP, 150, 30, "warm"));
        assertThat(AgentCheckAnswer.parse("0%")).isEqualTo(new AgentCheckAnswer(AgentState.NONE, 0, LoadReport.UNKNOWN, null));
    }

    @Test
    void everyStateWord() {
        assertThat(AgentCheckAnswer.parse("up").state()).isEqualTo(AgentState.UP);
        assertThat(AgentCheckAnswer.parse("ready").state()).isEqualTo(AgentState.READY);
        assertThat(AgentCheckAnswer.parse("drain").state()).isEqualTo(AgentState.DRAIN);
        assertThat(AgentCheckAnswer.parse("maint").state()).isEqualTo(AgentState.MAINT);
        assertThat(AgentCheckAnswer.parse("down #disk full").state()).isEqualTo(AgentState.DOWN);
        assertThat(AgentCheckAnswer.parse("fail").state()).isEqualTo(AgentState.DOWN);
        assertThat(AgentCheckAnswer.parse("stopped").state()).isEqualTo(AgentState.DOWN);
    }

    @Test
    void theMostRestrictiveStateWinsAndUnknownWordsAreIgnored() {
        assertThat(AgentCheckAnswer.parse("up drain").state()).isEqualTo(AgentState.DRAIN);
        assertThat(AgentCheckAnswer.parse("down ready").state()).isEqualTo(AgentState.DOWN);
        assertThat(AgentCheckAnswer.parse("drain maint").state()).isEqualTo(AgentState.MAINT);
        assertThat(AgentCheckAnswer.parse("hello 50% world").weightPercent()).isEqualTo(50);
    }

    @Test
    void garbageIsRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> AgentCheckAnswer.parse("")).hasMessageContaining("no agent-check word");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("# only a comment")).hasMessageContaining("no agent-check word");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("HTTP/1.1 400 Bad Request")).hasMessageContaining("no agent-check word");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("abc%")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("-5%")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("25601%")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("99999999999%")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("maxconn:")).hasMessageContaining("maxconn:0 or more");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("maxconn:x up")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("up\u0000")).hasMessageContaining("not printable ASCII");
        assertThatThrownBy(() -> AgentCheckAnswer.parse("up \u00e9")).hasMessageContaining("not printable ASCII");
    }

    @Test
    void becomesAnAgentCheckReport() {
        LoadReport r = AgentCheckAnswer.parse("75% drain maxconn:10").report(123);
        assertThat(r.receivedNanos()).isEqualTo(123);
        assertThat(r.state()).isEqualTo(AgentState.DRAIN);
        assertThat(r.weightPercent()).isEqualTo(75);
        assertThat(r.maxConn()).isEqualTo(10);
        assertThat(r.cpuBusy()).isNaN();
    }
}
