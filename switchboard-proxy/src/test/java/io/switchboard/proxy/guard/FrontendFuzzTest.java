package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.Http2Config;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.http.HttpFrontendInitializer;
import io.switchboard.proxy.ProxyState;
import io.switchboard.registry.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the whole front-end pipeline (connection limit, head scanner, HTTP codec, request validator,
 * access control, rate limiter, front end) with arbitrary client bytes, in memory. Its pool is empty,
 * so nothing ever connects anywhere: every request the proxy accepts is answered 503, and everything
 * else is refused by one of the layers under test.
 *
 * <p>For every input it checks that no exception reaches the end of a handler chain (neither the
 * pipeline's tail nor the front end's "unexpected error" path), that every byte written back is a
 * sequence of complete, well-formed responses with an expected status, each one logged, that a
 * response saying {@code Connection: close} is the last one and the connection is then closed, that
 * every buffer allocated was released exactly once, and that the outcome does not depend on how the
 * bytes were split into reads (the same input is fed whole and in small pieces), except right at a
 * size limit (see {@link Outcome#hitSizeLimit}).
 *
 * <p>In the default build this runs in a JVM of its own in fuzzing mode for a bounded time, after
 * replaying the seed corpus in {@code FrontendFuzzTestInputs/requests/} (built from the strict
 * parsing corpus).
 */
class FrontendFuzzTest {
    private static final Set<Integer> EXPECTED = Set.of(400, 403, 413, 414, 417, 429, 431, 503);
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final List<String> ERRORS = new CopyOnWriteArrayList<>();

    private static final ListenerConfig LISTENER = new ListenerConfig("web", "127.0.0.1", 0, "app",
            Duration.ofSeconds(5), Duration.ofSeconds(60), 256, 1024, 12,
            // Every guard in the pipeline: a limit the single connection stays under, a deny list that an
            // in-memory address never matches, and a rate limit that refills nothing while a test runs.
            new GuardConfig(10, 2, 0.001, 4, List.of(), List.of(Cidr.parse("192.0.2.0/24"))))
            .withHttp2(Http2Config.DISABLED); // the HTTP/1.x front end: an h2c preface is a bad version here

    private static final PoolConfig POOL = new PoolConfig("app", "round-robin", 1.25, 2, Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 8, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
            PassiveHealthConfig.DEFAULT, 64, List.of());
    private static final SwitchboardConfig CONFIG = new SwitchboardConfig(null, List.of(LISTENER), Map.of("app", POOL), 1, "nio",
            Duration.ofSeconds(1), "off");
    private static final Pool EMPTY = new Pool("app", Algorithms.byName("round-robin"), Pool.Settings.defaults());

    static {
        ByteBufUtil.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
        AppenderBase<ILoggingEvent> errors = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getThrowableProxy() != null || e.getLevel().isGreaterOrEqual(Level.ERROR)) ERRORS.add(e.getFormattedMessage());
            }
        };
        errors.start();
        ((Logger) LoggerFactory.getLogger("io.switchboard")).addAppender(errors);
        ((Logger) LoggerFactory.getLogger("io.netty")).addAppender(errors);
    }

    @FuzzTest(maxDuration = "20s")
    void requests(byte[] input) {
        Outcome whole = run(input, Math.max(1, input.length));
        // A piece size the fuzzer can steer (through the first byte) but that is mostly small.
        int piece = 1 + (input.length == 0 ? 0 : (input[0] & 0xff) % 7);
        Outcome pieces = run(input, piece);
        if (!whole.hitSizeLimit() && !pieces.hitSizeLimit()) {
            assertThat(pieces).as("outcome fed in pieces of %d vs. whole", piece).isEqualTo(whole);
        }
        assertThat(LEAKS).as("buffers never released").isEmpty();
        assertThat(ERRORS).as("exceptions and errors logged").isEmpty();
    }

    /** What the client saw: the statuses in order, and whether the proxy closed the connection. */
    private record Outcome(List<Integer> statuses, boolean closed) {
        /**
         * The decoder checks a head's length before it has seen the head's end when it arrives in
         * pieces (so that it never buffers more than the limits), so at the limit a head that fits
         * when read whole can get 414/431 when read in pieces, and one that is both too long and
         * malformed gets 414/431 or 400: both refuse it, but the outcomes are not comparable.
         */
        boolean hitSizeLimit() {
            return statuses.contains(414) || statuses.contains(431);
        }
    }

    private static Outcome run(byte[] input, int piece) {
        TrackingAllocator alloc = new TrackingAllocator();
        List<AccessRecord> log = new ArrayList<>();
        ProxyState state = new ProxyState(new ProxyState.Routing(CONFIG, Map.of("app", EMPTY)), Transport.nio(), log::add);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.config().setAutoRead(false);
        ch.pipeline().addLast(new HttpFrontendInitializer(state, LISTENER, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        ch.pipeline().fireChannelActive();

        StringBuilder out = new StringBuilder();
        for (int i = 0; i < input.length && ch.isOpen(); i += piece) {
            int n = Math.min(piece, input.length - i);
            ch.writeInbound(alloc.buffer(n).writeBytes(input, i, n)); // rethrows what reached the pipeline's tail
            drain(ch, out);
        }
        drain(ch, out);
        boolean closed = !ch.isOpen();
        List<AccessRecord> answered = List.copyOf(log);
        ch.finishAndReleaseAll();
        drain(ch, out);
        for (ByteBuf b : alloc.allocated) {
            assertThat(b.refCnt()).as("refCnt of a buffer of %d bytes at the end", b.capacity()).isZero();
        }
        List<Integer> statuses = parseResponses(out.toString(), answered, closed);
        return new Outcome(statuses, closed);
    }

    private static void drain(EmbeddedChannel ch, StringBuilder out) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            assertThat(o).isInstanceOf(ByteBuf.class);
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
    }

    /**
     * Splits what was written into responses, one per access-log record (a response to HEAD has no
     * body even with a Content-Length), and checks each.
     */
    private static List<Integer> parseResponses(String wire, List<AccessRecord> records, boolean closed) {
        List<Integer> statuses = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < records.size(); i++) {
            AccessRecord r = records.get(i);
            int end = wire.indexOf("\r\n\r\n", at);
            assertThat(end).as("head of response %d in %s", i, wire).isGreaterThanOrEqualTo(0);
            String[] lines = wire.substring(at, end).split("\r\n", -1);
            assertThat(lines[0]).as("status line").matches("HTTP/1\\.[01] \\d{3} [ -~]+");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            assertThat(status).as("status of %s", lines[0]).isEqualTo(r.status()).isIn(EXPECTED);
            long length = -1;
            boolean close = false;
            for (int l = 1; l < lines.length; l++) {
                String line = lines[l].toLowerCase(Locale.ROOT);
                assertThat(line).as("header line").matches("[a-z-]+: [ -~]+");
                if (line.startsWith("content-length: ")) {
                    assertThat(length).as("one Content-Length").isEqualTo(-1);
                    length = Long.parseLong(line.substring(16));
                }
                if (line.equals("connection: close")) close = true;
            }
            assertThat(length).as("Content-Length").isGreaterThan(0);
            at = end + 4 + (r.method().equals("HEAD") ? 0 : (int) length);
            assertThat(at).as("complete body").isLessThanOrEqualTo(wire.length());
            statuses.add(status);
            if (close) {
                assertThat(i).as("a response that closes is the last").isEqualTo(records.size() - 1);
                assertThat(closed).as("closed after Connection: close").isTrue();
            }
        }
        assertThat(wire.substring(at)).as("bytes after the last logged response").isEmpty();
        return statuses;
    }

    /** Unpooled heap buffers, each remembered, so that one left unreleased is found at once. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
