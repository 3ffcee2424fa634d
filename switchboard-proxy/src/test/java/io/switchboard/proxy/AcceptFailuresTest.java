package io.switchboard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failed accept pauses accepting for a while and stays out of the pipeline's warnings. */
class AcceptFailuresTest {

    @Test
    void anAcceptFailurePausesAcceptingThenResumes() {
        EmbeddedChannel server = new EmbeddedChannel(new AcceptFailures("web"));
        assertThat(server.config().isAutoRead()).isTrue();
        for (int i = 0; i < 1000; i++) {
            server.pipeline().fireExceptionCaught(new IOException("accept(..) failed with error(-24): Too many open files"));
        }
        assertThat(server.config().isAutoRead()).as("paused").isFalse();
        server.checkException(); // nothing reached the end of the pipeline
        server.runPendingTasks();
        assertThat(server.config().isAutoRead()).as("paused, not resumed at once").isFalse();
        server.advanceTimeBy(AcceptFailures.PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(server.config().isAutoRead()).as("resumed").isTrue();
        server.finishAndReleaseAll();
    }

    @Test
    void otherErrorsGoOn() {
        EmbeddedChannel server = new EmbeddedChannel(new AcceptFailures("web"));
        server.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));
        assertThatThrownBy(server::checkException).isInstanceOf(IllegalStateException.class);
        assertThat(server.config().isAutoRead()).isTrue();
        server.finishAndReleaseAll();
    }
}
