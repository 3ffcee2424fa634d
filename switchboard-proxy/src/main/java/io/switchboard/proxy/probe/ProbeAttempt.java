package io.switchboard.proxy.probe;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.backend.Backend;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.proxyprotocol.ProxyHeader;
import io.switchboard.proxy.resolve.HostResolver;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The life of one probe: a fresh connection to one back end, one deadline that covers everything
 * from connect to verdict, and exactly one {@link ProbeResult}. Whatever ends the attempt first — the
 * verdict, a failure, the deadline or a caller's cancel — closes the channel and cancels the
 * deadline; anything later is ignored because the result completes only once. That single rule is
 * what keeps a probe from leaking a channel whichever way it ends.
 *
 * <p>Threading: {@link #start} may be called from any thread. The channel, its handlers and the
 * deadline all run on one event loop picked from the group at start, so the result completes on that
 * loop (or on the thread of a caller that cancels it). {@link #pass} and {@link #fail} may be called
 * from any thread; only the first call counts.
 */
final class ProbeAttempt {
    private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private final long timeoutMillis;

    private ProbeAttempt(Duration timeout) {
        this.timeoutMillis = Math.max(1, timeout.toMillis());
    }

    /**
     * Connects to the back end; {@code handler} builds the pipeline of the new channel and reaches a
     * verdict through the attempt it is given. Never throws: a probe that cannot even start (the group
     * is shutting down) is a failed result.
     */
    static CompletableFuture<ProbeResult> start(Transport transport, EventLoopGroup group, HostResolver resolvers, Backend backend,
                                                Duration timeout, Function<ProbeAttempt, ChannelHandler> handler) {
        return start(transport, group, resolvers, backend, timeout, null, handler);
    }

    /**
     * Like {@link #start(Transport, EventLoopGroup, HostResolver, Backend, Duration, Function)}, with the
     * connection starting with a PROXY protocol header of {@code sendProxy} (null: none) that names the
     * probe's own addresses, as the back end's real connections start with one.
     */
    static CompletableFuture<ProbeResult> start(Transport transport, EventLoopGroup group, HostResolver resolvers, Backend backend,
                                                Duration timeout, ProxyProtocolVersion sendProxy,
                                                Function<ProbeAttempt, ChannelHandler> handler) {
        ProbeAttempt attempt = new ProbeAttempt(timeout);
        try {
            EventLoop loop = group.next();
            ScheduledFuture<?> deadline = loop.schedule(attempt::expire, attempt.timeoutMillis, TimeUnit.MILLISECONDS);
            ChannelFuture connect = new Bootstrap()
                    .group(loop)
                    .channel(transport.channel())
                    // the kernel's own connect attempt is abandoned too, not only our interest in it
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(attempt.timeoutMillis, Integer.MAX_VALUE))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(withHeader(sendProxy, handler.apply(attempt)))
                    // the data plane's lookups and answers: a name is looked up on the channel's loop, never blocking it
                    .resolver(resolvers)
                    .connect(InetSocketAddress.createUnresolved(backend.host(), backend.port()));
            attempt.result.whenComplete((r, e) -> {
                deadline.cancel(false);
                connect.channel().close();
            });
            connect.addListener(f -> {
                if (!f.isSuccess()) attempt.fail(f.cause());
            });
        } catch (RuntimeException e) {
            attempt.fail("probe not started: " + e);
        }
        return attempt.result;
    }

    private static ChannelHandler withHeader(ProxyProtocolVersion sendProxy, ChannelHandler handler) {
        if (sendProxy == null) return handler;
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(ProxyHeader.ownSender(sendProxy), handler);
            }
        };
    }

    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    void pass(String detail) {
        result.complete(ProbeResult.passed(detail));
    }

    void fail(String detail) {
        result.complete(ProbeResult.failed(detail));
    }

    void fail(Throwable cause) {
        if (!result.isDone()) fail(describe(cause));
    }

    private void expire() {
        fail("timeout after " + timeoutMillis + " ms");
    }

    /** A socket error in the words an operator would use; the JDK's and Netty's wording differ per transport. */
    private String describe(Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof ConnectTimeoutException) return "timeout after " + timeoutMillis + " ms";
        // epoll says "connect(..) failed: Connection refused", NIO says "Connection refused"
        String message = cause.getMessage() == null ? "" : cause.getMessage().replaceFirst("^\\w+\\(\\.\\.\\) failed: ", "");
        String lower = message.toLowerCase(Locale.ROOT);
        if (cause instanceof ConnectException) {
            return lower.contains("refused") ? "connect refused" : "connect failed: " + lower;
        }
        if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
            return "unknown host" + (message.isEmpty() ? "" : " " + message);
        }
        if (lower.contains("reset") || lower.contains("broken pipe")) return "connection reset";
        if (cause instanceof ClosedChannelException) return "connection closed before response";
        return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
