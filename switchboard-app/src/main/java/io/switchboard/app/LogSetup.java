package io.switchboard.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.TimeZone;

/**
 * Logback's configuration, in code: one short line per event on standard output,
 * {@code HH:mm:ss.SSS LEVEL Logger - message}, Netty at WARN, everything else at INFO. Operators read
 * these on a terminal or in journald, which adds its own date.
 *
 * <p>Why not {@code logback.xml}: reading it starts an XML parser and compiles a pattern, about 0.4 s
 * of a 1 s start on this machine (issue #20's start-up goal is 0.3 s). Logback finds this class
 * through {@code META-INF/services}, before any file. An operator's own file still wins: with
 * {@code -Dlogback.configurationFile=FILE}, or a {@code logback.xml}/{@code logback-test.xml} on the
 * class path ahead of the jar, this configurator steps aside.
 *
 * <p>Threading: logback calls {@link #configure} once, at its initialisation; the layout is
 * stateless apart from its time-zone cache and is called under the appender's lock.
 */
// No @ConfiguratorRank: logback reads it reflectively, and an annotation instance is a proxy class
// generated at run time, about 20 ms of the start. Without it the rank is the default; it orders
// custom configurators only, and this jar has no other.
public final class LogSetup extends ContextAwareBase implements Configurator {
    private final ClassLoader classPath;

    /** As logback makes it, through {@code META-INF/services}. */
    public LogSetup() {
        this(LogSetup.class.getClassLoader());
    }

    /** Looking for an operator's {@code logback.xml} on {@code classPath}. */
    LogSetup(ClassLoader classPath) {
        this.classPath = classPath;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || classPath.getResource("logback-test.xml") != null
                || classPath.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LineLayout layout = new LineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code HH:mm:ss.SSS LEVEL Logger - message}, the pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n}. */
    static final class LineLayout extends LayoutBase<ILoggingEvent> {
        private final TimeZone zone = TimeZone.getDefault();

        @Override
        public String doLayout(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(96);
            long millis = event.getTimeStamp();
            long local = Math.floorMod(millis + zone.getOffset(millis), 86_400_000L);
            two(line, (int) (local / 3_600_000)).append(':');
            two(line, (int) (local / 60_000 % 60)).append(':');
            two(line, (int) (local / 1000 % 60)).append('.');
            int ms = (int) (local % 1000);
            if (ms < 100) line.append('0');
            two(line, ms).append(' ');
            String level = event.getLevel().toString();
            line.append(level);
            for (int i = level.length(); i < 5; i++) line.append(' ');
            String logger = event.getLoggerName();
            line.append(' ').append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(" - ")
                    .append(event.getFormattedMessage()).append('\n');
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) line.append(ThrowableProxyUtil.asString(thrown)).append('\n');
            return line.toString();
        }

        private static StringBuilder two(StringBuilder line, int value) {
            if (value < 10) line.append('0');
            return line.append(value);
        }
    }
}
