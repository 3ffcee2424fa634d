package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class LogSetupTest {

    @Test
    void aLineIsTimeLevelLoggerAndMessage() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("io.switchboard.app.Switchboard");
        LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "listening on {}", null, new Object[] {"127.0.0.1:80"});
        long millis = 1_700_000_000_007L;   // 22:13:20.007 UTC
        event.setTimeStamp(millis - TimeZone.getDefault().getOffset(millis));
        LogSetup.LineLayout layout = new LogSetup.LineLayout();
        assertThat(layout.doLayout(event)).isEqualTo("22:13:20.007 INFO  Switchboard - listening on 127.0.0.1:80\n");
    }

    @Test
    void aThrowableFollowsItsLine() {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("a.B"), Level.ERROR, "failed", new IllegalStateException("port taken"), null);
        assertThat(new LogSetup.LineLayout().doLayout(event)).contains("ERROR B - failed\n").contains("IllegalStateException: port taken");
    }

    @Test
    void configuresTheConsoleWhenNoFileIsGiven() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup(new URLClassLoader(new URL[0], null));
        setup.setContext(context);
        assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE")).isInstanceOf(ConsoleAppender.class);
        assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.switchboard").getEffectiveLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void stepsAsideForAnOperatorsFile() {
        // the test class path has the proxy's logback-test.xml, as an operator's own file would be
        assertThat(getClass().getClassLoader().getResource("logback-test.xml")).isNotNull();
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup(getClass().getClassLoader());
        setup.setContext(context);
        assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }
}
